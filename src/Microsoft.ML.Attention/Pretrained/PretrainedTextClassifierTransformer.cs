using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(PretrainedTextClassifierTransformer), null, typeof(SignatureLoadModel),
    "Pretrained Text Classifier", PretrainedTextClassifierTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(PretrainedTextClassifierTransformer), null, typeof(SignatureLoadRowMapper),
    "Pretrained Text Classifier", PretrainedTextClassifierTransformer.LoaderSignature)]

namespace Microsoft.ML.Attention;

/// <summary>
/// A pretrained BERT, DistilBERT or XLM-RoBERTa encoder fine-tuned on a label, with the classification head it was fine-tuned with.
/// Created by <see cref="PretrainedTextClassifierTrainer"/>; save and load it with <c>mlContext.Model</c>.
/// </summary>
/// <remarks>
/// <para>Input: the text column (String; null or empty text is a valid row).</para>
/// <para>Outputs, ML.NET's standard ones, so <c>Evaluate</c>, <c>MapKeyToValue</c> and <c>PredictionEngine</c> work
/// unchanged. Multiclass: <c>Score</c> (class probabilities, with the class names as slot names) and
/// <c>PredictedLabel</c> (a key with the label's key values). Binary: <c>Score</c> (the logit margin),
/// <c>Probability</c> and <c>PredictedLabel</c> (Boolean).</para>
/// <para>The model zip holds the whole encoder (configuration, vocabulary, weights), the head and its temperature.</para>
/// <para><c>mlContext.Model.ConvertToOnnx</c> exports it with a graph that starts at token ids (the input
/// <see cref="TokenIdsColumnName"/>), which <see cref="GetTokenizer"/> makes from text without TorchSharp.</para>
/// </remarks>
public sealed class PretrainedTextClassifierTransformer : AttentionTransformerBase
{
    // At most 24 characters: the model header stores it in a fixed field.
    internal const string LoaderSignature = "PretrainedTextClassifier";
    private const string HeadStream = "ClassifierHead";

    // Version history: see ModelFormat (the first models of this transformer are of format 0x00010003).
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("PRETRCLS", LoaderSignature, typeof(PretrainedTextClassifierTransformer));

    private protected override int ScoringBatchSize => TextEncoderColumns.ScoringBatchSize;

    private readonly ClassificationTask _task;
    private readonly string _text;
    private readonly ClassifierColumns _columns;
    private readonly ClassNames _classes;
    private readonly PretrainedEncoder _encoder;
    private readonly TorchSharp.Modules.Linear _head;
    // The head's weights ([classes, inputs], row-major) and biases, copied once: scoring multiplies them in C#.
    private readonly float[] _headWeight, _headBias;
    private ClassifierHeadArchitecture _architecture;

    /// <summary>Name of the input text column.</summary>
    public string TextColumnName => _text;

    /// <summary>The class names, in the order of the Score vector (False, True for a binary classifier).</summary>
    public IReadOnlyList<string> ClassNames => _classes.Names;

    /// <summary>The temperature the logits are divided by before the softmax: 1 unless <c>ScaleTemperature</c> fitted one.</summary>
    public double Temperature => _architecture.Temperature;

    /// <summary>Tokens per window, counting the start and end tokens ([CLS] and [SEP], or &lt;s&gt; and &lt;/s&gt;), as taken from the options or the model.</summary>
    public int MaximumTokens => _encoder.MaxTokens;

    /// <summary>
    /// The input of the ONNX export (<c>mlContext.Model.ConvertToOnnx</c>): the text column's name followed by
    /// "TokenIds", an Int64 vector [texts, tokens] filled with <see cref="PretrainedTokenizer.TokenIds(IReadOnlyList{string}, out int)"/>
    /// (see <see cref="PretrainedEncoderTransformer.TokenIdsColumnName"/>).
    /// </summary>
    public string TokenIdsColumnName => _text + "TokenIds";

    /// <summary>The encoder's text front end as a tokenizer that needs no TorchSharp: the token ids of the ONNX export's input.</summary>
    public PretrainedTokenizer GetTokenizer() => _encoder.Tokenizer;

    internal PretrainedTextClassifierTransformer(IHostEnvironment env, ClassificationTask task, string text, ClassifierColumns columns,
        ClassNames classes, PretrainedEncoder encoder, TorchSharp.Modules.Linear head, ClassifierHeadArchitecture architecture)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(PretrainedTextClassifierTransformer)), encoder.Model)
    {
        _task = task;
        _text = text;
        _columns = columns;
        _classes = classes;
        _encoder = encoder;
        _head = head;
        _head.eval();
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            _headWeight = head.weight!.contiguous().data<float>().ToArray();
            _headBias = head.bias!.contiguous().data<float>().ToArray();
        }
        _architecture = architecture;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    // Every load error names the model file and the component's entry.
    private static PretrainedTextClassifierTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelFormat.Load(ctx, () => Read(env, ctx));

    private static PretrainedTextClassifierTransformer Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ModelFormat.CheckVersion(ctx, GetVersionInfo(), "pretrained text classifier");

        // *** Binary format ***
        // int: task (0 multiclass, 1 binary)
        // int: id of the text column name
        // int: ids of the score, predicted label and probability column names
        // class names (see ClassNames)
        // stream "ClassifierHead": the head's checkpoint (ClassifierHeadArchitecture, then weights; see ModuleCheckpoint)
        // the encoder (see PretrainedEncoder.Save)
        var task = (ClassificationTask)ctx.Reader.ReadInt32();
        if (task != ClassificationTask.Multiclass && task != ClassificationTask.Binary)
            throw ModelFormat.Error("header", $"unknown classification task {(int)task}.");
        var text = ModelFormat.ColumnName(ctx, "text")!;
        var columns = new ClassifierColumns(ModelFormat.ColumnName(ctx, "score")!, ModelFormat.ColumnName(ctx, "predicted label")!,
            ModelFormat.ColumnName(ctx, "probability")!);
        var classes = Classification.ClassNames.Read(ctx.Reader);
        ModelFormat.CheckAtEnd(ctx, "pretrained text classifier");
        var (architecture, head) = ModuleCheckpoint.Load(ctx, HeadStream, "classifier head", (ClassifierHeadArchitecture a) =>
        {
            if (a.Classes != classes.Count)
                throw ModelFormat.Error("classifier head", $"Classes {a.Classes} must equal the saved {classes.Count} class names.");
            return nn.Linear(a.Inputs, a.Classes);
        });
        try
        {
            var encoder = PretrainedEncoder.Load(ctx);
            if (encoder.Dimension != architecture.Inputs)
            {
                encoder.Dispose();
                throw ModelFormat.Error("classifier head", $"Inputs {architecture.Inputs} must equal the encoder's hidden size {encoder.Dimension}.");
            }
            return new PretrainedTextClassifierTransformer(env, task, text, columns, classes, encoder, head, architecture);
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***: see Read.
        ctx.Writer.Write((int)_task);
        ctx.SaveNonEmptyString(_text);
        ctx.SaveNonEmptyString(_columns.Score);
        ctx.SaveNonEmptyString(_columns.PredictedLabel);
        ctx.SaveNonEmptyString(_columns.Probability);
        _classes.Write(ctx.Writer);
        ModuleCheckpoint.Save(ctx, HeadStream, _head, _architecture);
        _encoder.Save(ctx);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema)
    {
        var text = TextColumn.Find(Host, inputSchema, _text);
        return new BatchScorer<string?>(new[] { text }, _columns.OutputColumns(_task, _classes), source => TextColumn.Reader(source, text),
            (texts, _) => _columns.Values(_task, Probabilities(Logits(_encoder.Encode(texts)))));
    }

    // The graph starts at token ids, as the pretrained encoder's; the head and the temperature follow.
    private protected override void CheckOnnxExport() => _encoder.CheckOnnxExport(Host, nameof(PretrainedTextClassifierTransformer));

    private protected override void SaveAsOnnx(OnnxContext context)
    {
        var g = new OnnxGraphWriter(context, Host, nameof(PretrainedTextClassifierTransformer));
        var ids = g.TokenIds(TokenIdsColumnName, _encoder.Tokenizer.Save);
        var logits = g.Linear(_encoder.Export(g, ids).Vectors, _head);
        if (_architecture.Temperature != 1)
            logits = g.Div(logits, g.Scalar((float)_architecture.Temperature));
        var probabilities = g.Op("Softmax", new[] { logits }, ("axis", 1L));
        foreach (var (column, value) in _columns.OutputColumns(_task, _classes).Zip(ClassifierColumns.Export(g, _task, probabilities)))
            g.Output(column.Name, column.Type, value);
    }

    /// <summary>Fits the temperature on held-out texts (class indexes, -1 without a label) and keeps it.</summary>
    internal void ScaleTemperature(IChannel channel, IReadOnlyList<PretrainedTokens> texts, int[] labels, bool warnWithoutRows)
    {
        if (!labels.Any(l => l >= 0))
        {
            const string message = "ScaleTemperature needs labelled validation rows (ValidationFraction above 0); the temperature stays 1.";
            if (warnWithoutRows)
                channel.Warning(message);
            else
                channel.Info(message);
            return;
        }
        var temperature = TemperatureScaling.Fit(Logits(_encoder.Encode(texts, null).Vectors), labels);
        channel.Info($"Temperature scaling on {labels.Count(l => l >= 0)} validation texts: logits divided by {temperature:G4}.");
        _architecture = _architecture with { Temperature = temperature };
    }

    // The head's logits of the encoder's vectors (before normalization: the head learned on those). Summed in double
    // here rather than by libtorch, whose sgemm rounds a row differently with the batch's row count on some CPUs:
    // a row must score the same alone (PredictionEngine) as in a batch (Transform).
    private float[][] Logits(float[][] vectors)
    {
        if (vectors.Length == 0)
            return Array.Empty<float[]>();
        int inputs = _architecture.Inputs, classes = _architecture.Classes;
        return vectors.Select(v =>
        {
            var z = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                double sum = _headBias[c];
                for (int i = 0; i < inputs; i++)
                    sum += (double)_headWeight[c * inputs + i] * v[i];
                z[c] = (float)sum;
            }
            return z;
        }).ToArray();
    }

    // Softmax of logits / T, in double: the scaled probabilities keep the logits' order, so the predicted class.
    private float[][] Probabilities(float[][] logits) => logits.Select(z =>
    {
        double max = z.Max(), total = 0;
        var p = z.Select(v => Math.Exp((v - max) / _architecture.Temperature)).ToArray();
        total = p.Sum();
        return p.Select(v => (float)(v / total)).ToArray();
    }).ToArray();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _head.Dispose();
        base.Dispose(disposing);
    }
}
