using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention;

/// <summary>
/// Learns a small self-attention (Transformer) encoder that turns text into a fixed-size vector for any ML.NET
/// trainer. Create it with <c>mlContext.Transforms.Text.SelfAttentionFeaturize(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a text column (String). Output: a vector of <see cref="Options.OutputSize"/> (or
/// <see cref="Options.Width"/>) floats; optionally the attention each token received.</para>
/// <para>Learning: with <see cref="Options.LabelColumnName"/> (key: classification; Boolean: two classes; Single:
/// regression) the encoder trains with a temporary head that is dropped after <c>Fit</c>. Without a label it trains
/// by masked-token prediction on the training texts, so unlabeled text still gives useful vectors.</para>
/// <para>Texts are read as one token sequence of at most <see cref="Options.MaxTokens"/> tokens (including a leading
/// classification token). Longer texts keep their first and last tokens, or are encoded in windows whose vectors are
/// averaged (<see cref="Options.LongText"/>); how many tokens a cut dropped is logged.</para>
/// </remarks>
public sealed class SelfAttentionFeaturizingEstimator : IEstimator<SelfAttentionFeaturizingTransformer>
{
    /// <summary>Settings of <see cref="SelfAttentionFeaturizingEstimator"/>. Defaults are sized for a CPU.</summary>
    public sealed class Options
    {
        /// <summary>Name of the input text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string InputColumnName { get; set; } = "Text";

        /// <summary>Name of the output vector column.</summary>
        /// <remarks>Default "Embedding".</remarks>
        public string OutputColumnName { get; set; } = "Embedding";

        /// <summary>Label to learn from (key, Boolean or Single); null trains by masked-token prediction instead.</summary>
        /// <remarks>Default null (masked-token training). Set it whenever labels exist.</remarks>
        public string? LabelColumnName { get; set; }

        /// <summary>Name of an optional output column with the attention each token received; null for none.</summary>
        /// <remarks>
        /// Default null (no column). Must differ from <see cref="OutputColumnName"/>. Reading the column makes scoring
        /// about 25% slower (the weights must be materialized, so attention cannot run in libtorch's fused kernel);
        /// cursors and prediction engines that do not read it pay nothing.
        /// </remarks>
        public string? TokenWeightsColumnName { get; set; }

        /// <summary>Whether the token weights average all layers or show the last one.</summary>
        /// <remarks>Default <see cref="TokenAttentionSource.AllLayers"/>.</remarks>
        public TokenAttentionSource TokenWeightsSource { get; set; } = TokenAttentionSource.AllLayers;

        /// <summary>Lower-case words before looking them up.</summary>
        /// <remarks>Default true.</remarks>
        public bool LowerCase { get; set; } = true;

        /// <summary>Keep punctuation marks as tokens.</summary>
        /// <remarks>Default true.</remarks>
        public bool KeepPunctuation { get; set; } = true;

        /// <summary>Words seen fewer times than this in the training data map to the unknown word.</summary>
        /// <remarks>Default 2. Typical range 1–5. At least 1.</remarks>
        public int MinimumWordCount { get; set; } = 2;

        /// <summary>Largest vocabulary (most frequent words first), 0 for no limit.</summary>
        /// <remarks>Default 30,000. Typical range 10,000–100,000; 0 for no limit.</remarks>
        public int MaximumVocabularySize { get; set; } = 30000;

        /// <summary>Optional local file of pretrained word vectors (GloVe, word2vec text or fastText .vec) of dimension <see cref="Width"/>.</summary>
        /// <remarks>Default null (embeddings learned from scratch). The vectors' dimension must equal <see cref="Width"/>.</remarks>
        public string? PretrainedVectorsPath { get; set; }

        /// <summary>Keep pretrained vectors fixed during training.</summary>
        /// <remarks>Default false.</remarks>
        public bool FreezePretrainedVectors { get; set; }

        /// <summary>Tokens per window, including the leading classification token.</summary>
        /// <remarks>Default 128. Typical range 32–512; at least 2. Cost grows with its square.</remarks>
        public int MaxTokens { get; set; } = 128;

        /// <summary>What happens to longer texts.</summary>
        /// <remarks>Default <see cref="LongTextHandling.HeadAndTail"/>.</remarks>
        public LongTextHandling LongText { get; set; } = LongTextHandling.HeadAndTail;

        /// <summary>Encoder layers (default) or the lightweight single attention layer for short texts.</summary>
        /// <remarks>Default <see cref="SelfAttentionVariant.Encoder"/>. Lightweight ignores <see cref="Layers"/>, <see cref="Heads"/> and <see cref="FeedForwardSize"/>.</remarks>
        public SelfAttentionVariant Variant { get; set; } = SelfAttentionVariant.Encoder;

        /// <summary>Width of token vectors inside the encoder.</summary>
        /// <remarks>Default 128. Typical range 64–512; must be even and divisible by <see cref="Heads"/>.</remarks>
        public int Width { get; set; } = 128;

        /// <summary>Encoder layers (Encoder variant).</summary>
        /// <remarks>Default 2. Typical range 1–6. At least 1.</remarks>
        public int Layers { get; set; } = 2;

        /// <summary>Attention heads per layer.</summary>
        /// <remarks>Default 4. Typical range 1–8; must divide <see cref="Width"/>.</remarks>
        public int Heads { get; set; } = 4;

        /// <summary>Hidden size of each layer's feed-forward block.</summary>
        /// <remarks>Default 256. Typical range 2–4 × <see cref="Width"/>.</remarks>
        public int FeedForwardSize { get; set; } = 256;

        /// <summary>Sinusoidal (default) or learned positions.</summary>
        /// <remarks>Default <see cref="PositionEncoding.Sinusoidal"/>.</remarks>
        public PositionEncoding Positions { get; set; } = PositionEncoding.Sinusoidal;

        /// <summary>Half-width of local (sliding-window) self-attention; 0 lets every token attend to every token.</summary>
        /// <remarks>Default 0 (global attention). Typical range 0 or 8–64 tokens.</remarks>
        public int LocalAttentionWindow { get; set; }

        /// <summary>How token vectors become the text's vector.</summary>
        /// <remarks>Default <see cref="TokenPooling.Mean"/>.</remarks>
        public TokenPooling Pooling { get; set; } = TokenPooling.Mean;

        /// <summary>Size of a learned projection of the pooled vector; 0 keeps <see cref="Width"/>.</summary>
        /// <remarks>Default 0 (<see cref="Width"/> values). Typical range 0 or 32–<see cref="Width"/>.</remarks>
        public int OutputSize { get; set; }

        /// <summary>Dropout inside the encoder.</summary>
        /// <remarks>Default 0.1. Allowed [0, 1); typical range 0–0.3.</remarks>
        public double Dropout { get; set; } = 0.1;

        /// <summary>Passes over the training texts, at most.</summary>
        /// <remarks>Default 5. Typical range 3–20. At least 1.</remarks>
        public int NumberOfEpochs { get; set; } = 5;

        /// <summary>Texts per training step.</summary>
        /// <remarks>Default 32. Typical range 16–128. At least 1.</remarks>
        public int BatchSize { get; set; } = 32;

        /// <summary>Adam's learning rate.</summary>
        /// <remarks>Default 5e-4. Typical range 1e-4–1e-3 (sweep on a log scale).</remarks>
        public double LearningRate { get; set; } = 5e-4;

        /// <summary>Gradients are rescaled to at most this norm; 0 turns clipping off.</summary>
        /// <remarks>Default 1.0. Typical range 0.5–5; 0 turns clipping off.</remarks>
        public double GradientClipNorm { get; set; } = 1.0;

        /// <summary>Share of tokens hidden in masked-token training.</summary>
        /// <remarks>Default 0.15. Allowed (0, 1); typical range 0.1–0.3. Used only without a label.</remarks>
        public double MaskRate { get; set; } = 0.15;

        /// <summary>Share of the texts held out to pick the best epoch and stop early; 0 trains every epoch on all texts.</summary>
        /// <remarks>Default 0.1. Allowed [0, 1); typical range 0.05–0.2.</remarks>
        public double ValidationFraction { get; set; } = 0.1;

        /// <summary>Epochs without a better validation loss before training stops; the best epoch's weights are kept.</summary>
        /// <remarks>Default 2. Typical range 1–5. At least 1.</remarks>
        public int EarlyStoppingPatience { get; set; } = 2;

        /// <summary>Threads libtorch may use; null keeps its default (all cores). Process-wide in libtorch.</summary>
        /// <remarks>Default null (libtorch default: all cores). Range 1 to the number of cores; set by <c>Fit</c> and kept for the rest of the process.</remarks>
        public int? NumberOfThreads { get; set; }

        /// <summary>
        /// Memory bound, in MiB, of the outputs the fitted transformer keeps for the input it last read in full, so a
        /// trainer that reads them many times (SDCA without <c>AppendCacheCheckpoint</c>) runs the model once; 0 turns it off.
        /// </summary>
        /// <remarks>Default 256. At least 0. A runtime setting of the transformer (<c>OutputCacheMegabytes</c>), not saved with the model.</remarks>
        public int OutputCacheMegabytes { get; set; } = 256;

        /// <summary>Seed for initialisation, shuffling, masking and dropout; null takes one from the <see cref="MLContext"/>.</summary>
        /// <remarks>Default null (taken from the <see cref="MLContext"/> seed).</remarks>
        public int? Seed { get; set; }

        /// <summary>Called after every batch with the training progress.</summary>
        /// <remarks>Default null (no callback). Runs on the training thread; keep it fast.</remarks>
        public Action<TrainingProgress>? Progress { get; set; }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal SelfAttentionFeaturizingEstimator(IHostEnvironment env, Options options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(SelfAttentionFeaturizingEstimator));
        _host.CheckValue(options, nameof(options));
        Validate(_host, options);
        _options = options;
    }

    private static void Validate(IHost host, Options o)
    {
        host.CheckNonEmpty(o.InputColumnName, nameof(o.InputColumnName));
        host.CheckNonEmpty(o.OutputColumnName, nameof(o.OutputColumnName));
        host.CheckUserArg(o.MinimumWordCount >= 1, nameof(o.MinimumWordCount), "must be at least 1");
        host.CheckUserArg(o.MaximumVocabularySize >= 0, nameof(o.MaximumVocabularySize), "must be 0 (no limit) or positive");
        host.CheckUserArg(o.MaxTokens >= 2, nameof(o.MaxTokens), "must be at least 2 (the classification token and one word)");
        host.CheckUserArg(o.Width >= 2 && o.Width % 2 == 0, nameof(o.Width), "must be an even number of at least 2");
        // The lightweight variant has a single attention and never reads Heads.
        host.CheckUserArg(o.Variant == SelfAttentionVariant.Lightweight || o.Heads >= 1 && o.Width % o.Heads == 0,
            nameof(o.Heads), $"must divide Width ({o.Width})");
        host.CheckUserArg(o.Layers >= 1, nameof(o.Layers), "must be at least 1");
        host.CheckUserArg(o.FeedForwardSize >= 1, nameof(o.FeedForwardSize), "must be at least 1");
        host.CheckUserArg(o.LocalAttentionWindow >= 0, nameof(o.LocalAttentionWindow), "must be 0 (global) or positive");
        host.CheckUserArg(o.OutputSize >= 0, nameof(o.OutputSize), "must be 0 (Width) or positive");
        host.CheckUserArg(o.Dropout >= 0 && o.Dropout < 1, nameof(o.Dropout), "must be in [0, 1)");
        host.CheckUserArg(o.NumberOfEpochs >= 1, nameof(o.NumberOfEpochs), "must be at least 1");
        host.CheckUserArg(o.BatchSize >= 1, nameof(o.BatchSize), "must be at least 1");
        host.CheckUserArg(o.OutputCacheMegabytes >= 0, nameof(o.OutputCacheMegabytes), "must be 0 (off) or more");
        host.CheckUserArg(o.LearningRate > 0, nameof(o.LearningRate), "must be positive");
        host.CheckUserArg(o.GradientClipNorm >= 0, nameof(o.GradientClipNorm), "must be 0 (off) or positive");
        host.CheckUserArg(o.MaskRate > 0 && o.MaskRate < 1, nameof(o.MaskRate), "must be in (0, 1)");
        host.CheckUserArg(o.ValidationFraction >= 0 && o.ValidationFraction < 1, nameof(o.ValidationFraction), "must be in [0, 1)");
        host.CheckUserArg(o.EarlyStoppingPatience >= 1, nameof(o.EarlyStoppingPatience), "must be at least 1");
        host.CheckUserArg(o.NumberOfThreads == null || o.NumberOfThreads >= 1, nameof(o.NumberOfThreads), "must be at least 1");
        host.CheckUserArg(o.TokenWeightsColumnName != o.OutputColumnName, nameof(o.TokenWeightsColumnName), "must differ from OutputColumnName");
    }

    /// <summary>Tokenizes the training texts once, trains the encoder and returns the transformer.</summary>
    /// <param name="input">Training data with the text column (and the label column if one was named).</param>
    public SelfAttentionFeaturizingTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        var textColumn = TextColumn.Find(_host, input.Schema, o.InputColumnName);
        var label = o.LabelColumnName == null ? null : LabelColumn.Find(_host, input.Schema, o.LabelColumnName);

        var seed = o.Seed ?? _host.Rand.Next();
        if (o.NumberOfThreads.HasValue)
            torch.set_num_threads(o.NumberOfThreads.Value);
        torch.random.manual_seed(seed);

        using var channel = _host.Start("Training self-attention featurizer");
        var text = new FeaturizerText(o.LowerCase, o.KeepPunctuation, o.MaxTokens, o.LongText);
        var tokenizer = new DocumentTokenizer(new DocumentTokenizerOptions { LowerCase = o.LowerCase, KeepPunctuation = o.KeepPunctuation });
        var (documents, targets) = Read(channel, input, textColumn, label, tokenizer);
        if (documents.Count == 0)
            throw _host.Except(label == null ? $"The training data has no rows in column '{o.InputColumnName}'."
                : $"The training data has no rows with a label in column '{label.Column.Name}'.");
        if (label != null && !label.IsRegression && targets.Distinct().Count() < 2)
            throw _host.Except($"Column '{label.Column.Name}' holds a single class in the training data; a classifier needs at least two.");

        var vocabulary = VocabularyModel.Build(_host, documents, o.MinimumWordCount, o.MaximumVocabularySize, o.InputColumnName);
        channel.Info($"Vocabulary: {vocabulary.Count - 2} words seen at least {o.MinimumWordCount} times.");

        var architecture = new FeaturizerArchitecture(vocabulary.Count + 2, o.Variant, o.Width, o.Layers, o.Heads, o.FeedForwardSize,
            o.Positions, o.MaxTokens, o.LocalAttentionWindow, o.Pooling, o.OutputSize, o.Dropout);
        var encoder = text.CreateEncoder(vocabulary, architecture.ClassificationTokenId);
        var windows = documents.Select(d => encoder.Encode(d.Sentences.SelectMany(s => s.Tokens).Select(t => vocabulary.GetId(t.Text)).ToArray())).ToArray();
        var cut = windows.Where(w => w.DroppedTokens > 0).ToArray();
        if (cut.Length > 0)
            channel.Info($"{cut.Length} of {windows.Length} texts are longer than MaxTokens = {o.MaxTokens}: {cut.Sum(w => w.DroppedTokens)} tokens " +
                "in their middles are not read (LongText = HeadAndTail; SlidingWindow reads everything).");

        var order = Enumerable.Range(0, windows.Length).ToArray();
        new Random(seed).Shuffle(order);
        int held = (int)Math.Floor(order.Length * o.ValidationFraction);
        if (held >= order.Length)
            held = 0;
        var validation = order.Take(held).ToArray();
        var train = order.Skip(held).ToArray();
        channel.Info($"{train.Length} training texts, {validation.Length} validation texts, " +
            (label == null ? "masked-token training." : label.IsRegression ? "regression." : $"{label.Classes} classes."));

        var module = new SelfAttentionEncoder(architecture);
        try
        {
            if (o.PretrainedVectorsPath != null)
            {
                var pretrained = PretrainedEmbedding.Load(o.PretrainedVectorsPath, vocabulary, seed);
                if (pretrained.Dimension != o.Width)
                    throw _host.ExceptUserArg(nameof(o.PretrainedVectorsPath), $"the vectors have dimension {pretrained.Dimension}; set Width to {pretrained.Dimension}");
                pretrained.CopyInto(module.EmbeddingWeight, o.FreezePretrainedVectors);
                channel.Info($"Pretrained vectors: {pretrained.Found} of {vocabulary.Count - 2} vocabulary words found.");
            }
            var settings = new TrainingSettings(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.EarlyStoppingPatience,
                o.GradientClipNorm, seed, OptimizerKind.Adam, o.Progress);
            if (label != null)
                FeaturizerTraining.Supervised(_host, channel, module, windows, targets.ToArray(), label, train, validation, settings);
            else
                FeaturizerTraining.MaskedTokens(_host, channel, module, windows, train, validation, settings, o.MaskRate);
        }
        catch
        {
            module.Dispose();
            throw;
        }
        return new SelfAttentionFeaturizingTransformer(_host, o.OutputColumnName, o.InputColumnName, o.TokenWeightsColumnName,
            o.TokenWeightsSource, text, vocabulary, architecture, module) { OutputCacheMegabytes = o.OutputCacheMegabytes };
    }

    private (List<TokenizedDocument> Documents, List<float> Targets) Read(IChannel channel, IDataView data, DataViewSchema.Column text,
        LabelColumn? label, DocumentTokenizer tokenizer)
    {
        var documents = new List<TokenizedDocument>();
        var targets = new List<float>();
        int skipped = 0;
        var columns = label == null ? new[] { text } : new[] { text, label.Column };
        using (var cursor = data.GetRowCursor(columns))
        {
            var readText = TextColumn.Reader(cursor, text);
            var readLabel = label?.Reader(cursor);
            while (cursor.MoveNext())
            {
                _host.CheckAlive();
                var target = readLabel?.Invoke() ?? 0;
                if (float.IsNaN(target))
                {
                    skipped++;
                    continue;
                }
                documents.Add(tokenizer.Tokenize(readText()));
                targets.Add(target);
            }
        }
        if (skipped > 0)
            channel.Warning($"Skipped {skipped} rows whose label in column '{label!.Column.Name}' is missing.");
        return (documents, targets);
    }

    /// <summary>The schema after the transformer: the input columns plus the vector and, if named, the token weights.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.InputColumnName);
        if (_options.LabelColumnName != null)
            LabelColumn.Check(_host, inputSchema, _options.LabelColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, isKey: false);
        if (_options.TokenWeightsColumnName != null)
            columns[_options.TokenWeightsColumnName] = new SchemaShape.Column(_options.TokenWeightsColumnName,
                SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, isKey: false);
        return new SchemaShape(columns.Values);
    }
}
