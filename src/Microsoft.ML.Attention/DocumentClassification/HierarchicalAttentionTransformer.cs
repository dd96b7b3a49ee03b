using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(HierarchicalAttentionTransformer), null, typeof(SignatureLoadModel),
    "Hierarchical Attention Network", HierarchicalAttentionTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(HierarchicalAttentionTransformer), null, typeof(SignatureLoadRowMapper),
    "Hierarchical Attention Network", HierarchicalAttentionTransformer.LoaderSignature)]

namespace Microsoft.ML.Attention;

/// <summary>
/// A trained hierarchical attention network that classifies documents. Created by
/// <see cref="HierarchicalAttentionTrainer"/>; save and load it with <c>mlContext.Model</c>.
/// </summary>
/// <remarks>
/// <para>Input: the text column (string; null or empty text is scored with the classifier's prior).</para>
/// <para>Outputs, multiclass: <c>Score</c> (per-class probabilities, with the class names as slot names) and
/// <c>PredictedLabel</c> (a key with the label's key values). Binary: <c>Score</c> (the logit margin),
/// <c>Probability</c> and <c>PredictedLabel</c> (Boolean). Optional: sentence weights (one per sentence read),
/// word weights (all sentences' words, flattened) with the number of words of each sentence.</para>
/// <para>Use <see cref="Explain"/> for one document's sentences and words aligned to the original text.</para>
/// <para><c>mlContext.Model.ConvertToOnnx</c> exports it with a graph that starts at token ids (the input
/// <see cref="TokenIdsColumnName"/>), which <see cref="GetTokenizer"/> makes from text without TorchSharp.</para>
/// </remarks>
public sealed class HierarchicalAttentionTransformer : AttentionTransformerBase
{
    // At most 24 characters: the model header stores it in a fixed field.
    internal const string LoaderSignature = "HierarchicalAttention";
    private const string ModuleStream = "HanModule";

    // Version history: see ModelFormat.
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("HIERATTN", LoaderSignature, typeof(HierarchicalAttentionTransformer));

    private readonly ClassificationTask _task;
    private readonly OutputColumnNames _columns;
    private readonly TextPreprocessing _text;
    private readonly DocumentTokenizer _tokenizer;
    private readonly Vocabulary _vocabulary;
    private readonly ClassNames _classes;
    private readonly HanArchitecture _architecture;
    private readonly HierarchicalAttentionModule _module;

    /// <summary>Name of the input text column.</summary>
    public string TextColumnName => _columns.Text;

    /// <summary>The class names, in the order of the Score vector.</summary>
    public IReadOnlyList<string> ClassNames => _classes.Names;

    /// <summary>Number of words the model knows, including the padding and unknown-word entries.</summary>
    public int VocabularySize => _vocabulary.Count;

    /// <summary>The temperature the logits are divided by before the softmax: 1 unless <c>ScaleTemperature</c> fitted one.</summary>
    public double Temperature => _architecture.Temperature;

    /// <summary>
    /// The input of the ONNX export (<c>mlContext.Model.ConvertToOnnx</c>), which starts at token ids rather than text:
    /// the text column's name followed by "TokenIds", an Int64 vector [documents, sentences × words] that an application
    /// scoring the exported graph fills with <see cref="TextTokenizer.TokenIds(string)"/>. The export declares it as a
    /// graph input (or uses the column when the data given to <c>ConvertToOnnx</c> has one of this name).
    /// </summary>
    public string TokenIdsColumnName => _columns.Text + "TokenIds";

    /// <summary>
    /// This network's text front end (sentence splitting, words, vocabulary) as a tokenizer that needs no TorchSharp:
    /// the token ids of the ONNX export's input. Throws for a network trained with <c>MaximumWordsPerSentence</c> = 0.
    /// </summary>
    public HanTokenizer GetTokenizer() => new HanTokenizer(_text, _vocabulary);

    internal HierarchicalAttentionTransformer(IHostEnvironment env, ClassificationTask task, OutputColumnNames columns,
        TextPreprocessing text, Vocabulary vocabulary, ClassNames classes, HanArchitecture architecture, HierarchicalAttentionModule module)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(HierarchicalAttentionTransformer)), module)
    {
        _task = task;
        _columns = columns;
        _text = text;
        _tokenizer = text.CreateTokenizer();
        _vocabulary = vocabulary;
        _classes = classes;
        _architecture = architecture;
        _module = module;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    // Every load error names the model file and the component's entry.
    private static HierarchicalAttentionTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelFormat.Load(ctx, () => Read(env, ctx));

    private static HierarchicalAttentionTransformer Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ModelFormat.CheckVersion(ctx, GetVersionInfo(), "hierarchical attention network");

        // *** Binary format ***
        // int: task (0 multiclass, 1 binary)
        // column names (see OutputColumnNames)
        // text settings (see TextPreprocessing)
        // class names (see ClassNames)
        // stream "Vocabulary": the vocabulary (see Vocabulary)
        // stream "HanModule": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        var task = (ClassificationTask)ctx.Reader.ReadInt32();
        if (task != ClassificationTask.Multiclass && task != ClassificationTask.Binary)
            throw ModelFormat.Error("header", $"unknown classification task {(int)task}.");
        var columns = OutputColumnNames.Load(ctx);
        var text = TextPreprocessing.Read(ctx.Reader);
        var classes = Classification.ClassNames.Read(ctx.Reader);
        ModelFormat.CheckAtEnd(ctx, "hierarchical attention network");
        var vocabulary = VocabularyModel.Load(ctx);
        var (architecture, module) = ModuleCheckpoint.Load(ctx, ModuleStream, "network architecture", (HanArchitecture a) =>
        {
            // Ids beyond the embedding or scores beyond the class names would fail only at the first document scored.
            if (a.VocabularySize != vocabulary.Count || a.Classes != classes.Count)
                throw ModelFormat.Error("network architecture", $"VocabularySize {a.VocabularySize} and Classes {a.Classes} must equal the saved "
                    + $"vocabulary's {vocabulary.Count} words and {classes.Count} class names.");
            return new HierarchicalAttentionModule(a);
        });
        return new HierarchicalAttentionTransformer(env, task, columns, text, vocabulary, classes, architecture, module);
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***
        // int: task (0 multiclass, 1 binary)
        // column names (see OutputColumnNames)
        // text settings (see TextPreprocessing)
        // class names (see ClassNames)
        // stream "Vocabulary": the vocabulary (see Vocabulary)
        // stream "HanModule": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        ctx.Writer.Write((int)_task);
        _columns.Save(ctx);
        ModelFormat.WriteConfig(ctx.Writer, _text);
        _classes.Write(ctx.Writer);
        VocabularyModel.Save(ctx, _vocabulary);
        ModuleCheckpoint.Save(ctx, ModuleStream, _module, _architecture);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema)
    {
        var text = TextColumn.Find(Host, inputSchema, _columns.Text);
        // Attention weights and explanations are by-products of the forward pass, so every output is computed.
        return new BatchScorer<string?>(new[] { text }, _columns.OutputColumns(_task, _classes),
            source => TextColumn.Reader(source, text), (rows, _) => Score(rows));
    }

    /// <summary>Tokenizes and maps a document to token ids, as during training.</summary>
    internal (TokenizedDocument Document, int[][] Ids) Encode(string? text)
    {
        var document = _tokenizer.Tokenize(text);
        return (document, TokenIds.FromDocument(document, _vocabulary));
    }

    /// <summary>Runs the network on a batch: class probabilities [B, C] and the attention of each document.</summary>
    internal (float[][] Probabilities, float[][] SentenceWeights, float[][][] WordWeights) Predict(IReadOnlyList<int[][]> documents)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var batch = new DocumentBatch(documents);
        var (logits, wordWeights, sentenceWeights) = _module.Forward(batch);
        if (_architecture.Temperature != 1)
        {
            using var temperature = _architecture.Temperature.ToScalar();
            logits = logits.div(temperature);
        }
        var probabilities = Rows(logits.softmax(-1).contiguous().data<float>().ToArray(), documents.Count, _classes.Count);
        var sentenceFlat = sentenceWeights.contiguous().data<float>().ToArray();
        var wordFlat = wordWeights.contiguous().data<float>().ToArray();
        var sentences = new float[documents.Count][];
        var words = new float[documents.Count][][];
        for (int b = 0; b < documents.Count; b++)
        {
            var document = documents[b];
            sentences[b] = sentenceFlat.AsSpan(b * batch.MaximumSentences, document.Length).ToArray();
            words[b] = new float[document.Length][];
            for (int j = 0; j < document.Length; j++)
                words[b][j] = wordFlat.AsSpan(batch.SentenceRows[b][j] * batch.MaxWords, document[j].Length).ToArray();
        }
        return (probabilities, sentences, words);
    }

    private static float[][] Rows(float[] flat, int rows, int width)
    {
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
            result[r] = flat.AsSpan(r * width, width).ToArray();
        return result;
    }

    /// <summary>
    /// Explains the classification of one document: class probabilities and the attention on each sentence
    /// and word, aligned to the original text.
    /// </summary>
    /// <param name="text">The document; null or empty gives the prior and no sentences.</param>
    public DocumentExplanation Explain(string? text)
    {
        var (document, ids) = Encode(text);
        // Through the scoring path, on its thread rule, so the explanation holds exactly the values of the output columns.
        var scored = new (float[][] Probabilities, float[][] SentenceWeights, float[][][] WordWeights)[1];
        ConcurrentGroups.ForEach(new[] { new[] { 0 } }, _ => scored[0] = Predict(new[] { ids }));
        var (probabilities, sentenceWeights, wordWeights) = scored[0];
        var p = probabilities[0];
        int best = Array.IndexOf(p, p.Max());
        var sentences = document.Sentences.Select((sentence, j) => new SentenceExplanation(
            sentence.Span.Of(document.Text), sentence.Span.Start, sentence.Span.Length, sentenceWeights[0][j],
            sentence.Tokens.Select((token, t) => new WordExplanation(token.Span.Of(document.Text), token.Span.Start, token.Span.Length, wordWeights[0][j][t])).ToArray()))
            .ToArray();
        return new DocumentExplanation(document.Text, _classes.Names[best],
            _classes.Names.Select((name, c) => new KeyValuePair<string, float>(name, p[c])).ToArray(), sentences, document.IsTruncated);
    }

    // The graph starts at token ids: sentence splitting with abbreviation rules has no exact standard ONNX equivalent.
    private protected override void CheckOnnxExport()
    {
        if (!(_text.MaximumWordsPerSentence > 0))
            throw Host.Except($"{nameof(HierarchicalAttentionTransformer)} cannot be exported to ONNX: it was trained with MaximumWordsPerSentence = 0 (all words), "
                + "so its token ids have no fixed sentence width. Train it with MaximumWordsPerSentence above 0.");
    }

    private protected override void SaveAsOnnx(OnnxContext context)
    {
        var g = new OnnxGraphWriter(context, Host, nameof(HierarchicalAttentionTransformer));
        long width = _text.MaximumWordsPerSentence!.Value;
        // One sentence without words after every document: a batch of documents without sentences still has a sentence axis.
        var flat = g.TokenIds(TokenIdsColumnName, GetTokenizer().Save);
        var padded = g.Op("Pad", new[] { flat, g.Constant(new long[] { 0, 0, 0, width }), g.Constant(new long[] { 0 }) });
        var ids = g.Op("Reshape", new[] { padded, g.Constant(new long[] { 0, -1, width }) });                   // [N, S + 1, W]
        var (logits, wordWeights, sentenceWeights) = _module.Export(g, ids, width);
        if (_architecture.Temperature != 1)
            logits = g.Div(logits, g.Scalar((float)_architecture.Temperature));
        var probabilities = g.Op("Softmax", new[] { logits }, ("axis", 1L));
        foreach (var (column, value) in _columns.OutputColumns(_task, _classes).Zip(OnnxOutputs(g, probabilities, wordWeights, sentenceWeights, ids)))
            g.Output(column.Name, column.Type, value);
    }

    // The output columns' tensors, in the order of OutputColumnNames.OutputColumns; weights without the added sentence,
    // word weights and sentence lengths in the layout of the token ids ([N, S x W] and [N, S], 0 at padding).
    private IEnumerable<string> OnnxOutputs(ExportGraph g, string probabilities, string wordWeights, string sentenceWeights, string ids)
    {
        string WithoutLast(string x, long axis) => g.Op("Slice", new[] { x, g.Constant(new long[] { 0 }, 1), g.Constant(new long[] { -1 }, 1), g.Constant(new long[] { axis }, 1) });
        foreach (var value in ClassifierColumns.Export(g, _task, probabilities))
            yield return value;
        if (_columns.SentenceWeights != null)
            yield return WithoutLast(sentenceWeights, 1);
        if (_columns.WordWeights != null)
            yield return g.Op("Reshape", new[] { WithoutLast(wordWeights, 1), g.Constant(new long[] { 0, -1 }) });
        if (_columns.SentenceLengths != null)
        {
            var real = g.ToFloat(g.Unary("Not", g.Op("Equal", new[] { WithoutLast(ids, 1), g.Constant(new long[] { 0 }) })));
            yield return g.ReduceSum(real, -1, keepDims: false);
        }
    }

    // Words in the padded block of one forward pass when scoring; see DocumentBatch.ScoringGroups.
    internal const int ScoringWordBudget = 16384;

    // Transform reads this many rows ahead and scores them in groups of similar length: a larger pool makes the
    // groups more uniform, and gives the concurrent workers several groups each.
    private protected override int ScoringBatchSize => 2048;

    /// <summary>Scores a batch of documents into the output columns' values, in groups of similar length.</summary>
    private Array[] Score(IReadOnlyList<string?> texts)
    {
        var documents = texts.Select(t => Encode(t).Ids).ToArray();
        var probabilities = new float[documents.Length][];
        var sentenceWeights = new float[documents.Length][];
        var wordWeights = new float[documents.Length][][];
        ConcurrentGroups.ForEach(DocumentBatch.ScoringGroups(documents, ScoringWordBudget).ToArray(), group =>
        {
            var scored = Predict(group.Select(i => documents[i]).ToArray());
            for (int k = 0; k < group.Length; k++)
            {
                probabilities[group[k]] = scored.Probabilities[k];
                sentenceWeights[group[k]] = scored.SentenceWeights[k];
                wordWeights[group[k]] = scored.WordWeights[k];
            }
        });
        return _columns.Values(_task, probabilities, sentenceWeights, wordWeights);
    }
}
