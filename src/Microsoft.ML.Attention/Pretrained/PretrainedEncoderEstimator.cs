using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// Turns text into sentence embeddings with a pretrained BERT, DistilBERT or XLM-RoBERTa encoder read from local files, frozen or
/// fine-tuned on a label. Create it with <c>mlContext.Transforms.Text.ApplyPretrainedEncoder(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a text column (String; null or empty text gives a valid vector). Output: a vector of the model's hidden
/// size; optionally the attention each word piece received.</para>
/// <para>Without <see cref="Options.LabelColumnName"/>, <c>Fit</c> only reads the model and the training texts: the
/// vectors are the frozen model's sentence embeddings. With a label (key: classification; Boolean: two classes; Single:
/// regression) the encoder is fine-tuned with a temporary head that is dropped after <c>Fit</c>.</para>
/// <para>The encoder's width, layers, heads, vocabulary and lower-casing come from the model; a sentence-transformers
/// folder also gives its pooling, normalization and maximum sequence length. The fitted transformer saves the whole
/// encoder in the model zip. Nothing is downloaded.</para>
/// </remarks>
public sealed class PretrainedEncoderEstimator : IEstimator<PretrainedEncoderTransformer>
{
    /// <summary>The defaults of <see cref="Options"/> and of the catalog's short overload.</summary>
    /// <remarks>
    /// The usual BERT fine-tuning recipe: AdamW with 10% warm-up then linear decay, up to 3 epochs, stopping after one
    /// epoch without a better validation loss. Batches of 16 at 1e-4 rather than 32 at 5e-5: small data sets give few
    /// steps (docs/pretrained-encoders.md).
    /// </remarks>
    internal static class Defaults
    {
        public const string InputColumnName = "Text";
        public const string OutputColumnName = "Embedding";
        public const int NumberOfEpochs = 3;
        public const int BatchSize = 16;
        public const double LearningRate = 1e-4;
        public const int EarlyStoppingPatience = 1;
        public const double GradientClipNorm = 1.0;
        public const OptimizerKind Optimizer = OptimizerKind.AdamW;
        public const double WeightDecay = 0.01;
        public const double WarmupFraction = 0.1;

        /// <summary>Tokens per window when neither the option nor the model says: 256 (fine-tuning at BERT's 512 costs over twice the time and memory).</summary>
        public const int MaximumTokens = 256;

        /// <summary>Pooling when neither the option nor the model says (sentence-transformers pools by the mean).</summary>
        public const PoolingMode Pooling = PoolingMode.Mean;

        public const LongTextHandling LongText = LongTextHandling.HeadAndTail;
        public const TokenAttentionSource TokenWeightsSource = TokenAttentionSource.AllLayers;

        public static readonly TrainingDefaults Training = new(NumberOfEpochs, BatchSize, LearningRate, EarlyStoppingPatience,
            GradientClipNorm, Optimizer, WeightDecay, WarmupFraction);
    }

    /// <summary>Settings of <see cref="PretrainedEncoderEstimator"/>: the model, how texts are read and pooled, and fine-tuning.</summary>
    /// <remarks>
    /// Training defaults (used only with a label): AdamW, learning rate 1e-4 after 10% warm-up then linear decay,
    /// batches of 16, up to 3 epochs, early-stopping patience 1, gradient clipping at norm 1.
    /// </remarks>
    public sealed class Options : PretrainedModelOptions
    {
        /// <summary>Default settings; set <see cref="PretrainedModelOptions.ModelPath"/>.</summary>
        public Options()
        {
        }

        /// <summary>Name of the input text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string InputColumnName { get; set; } = PretrainedEncoderEstimator.Defaults.InputColumnName;

        /// <summary>Name of the output vector column.</summary>
        /// <remarks>Default "Embedding".</remarks>
        public string OutputColumnName { get; set; } = PretrainedEncoderEstimator.Defaults.OutputColumnName;

        /// <summary>Label to fine-tune on (key, Boolean or Single); null keeps the encoder frozen.</summary>
        /// <remarks>Default null (frozen: <c>Fit</c> trains nothing).</remarks>
        public string? LabelColumnName { get; set; }

        /// <summary>Name of an optional output column with the attention each word piece received; null for none.</summary>
        /// <remarks>
        /// Default null (no column). Must differ from <see cref="OutputColumnName"/>. The weights are computed only for
        /// cursors and prediction engines that read the column (attention then cannot run in libtorch's fused kernel).
        /// </remarks>
        public string? TokenWeightsColumnName { get; set; }

        /// <summary>Whether the token weights average all layers or show the last one.</summary>
        /// <remarks>Default <see cref="TokenAttentionSource.AllLayers"/>.</remarks>
        public TokenAttentionSource TokenWeightsSource { get; set; } = PretrainedEncoderEstimator.Defaults.TokenWeightsSource;

        /// <summary>Whether the vectors are L2-normalized; null follows the model.</summary>
        /// <remarks>
        /// Default null: normalized exactly when a sentence-transformers folder has a Normalize module after the pooling
        /// used. Fine-tuning trains on the vector before normalization either way.
        /// </remarks>
        public bool? Normalize { get; set; }

    }

    private readonly IHost _host;
    private readonly Options _options;
    private int? _outputSize;

    internal PretrainedEncoderEstimator(IHostEnvironment env, Options options)
        : this(Contracts.CheckRef(env, nameof(env)).Register(nameof(PretrainedEncoderEstimator)), options)
    {
    }

    // The obsolete featurizer path passes its own host, whose random numbers choose the seed as they did before.
    private PretrainedEncoderEstimator(IHost host, Options options)
    {
        _host = host;
        _host.CheckValue(options, nameof(options));
        Validate(_host, options);
        _options = options;
    }

    /// <summary>The estimator the obsolete <c>SelfAttentionFeaturize</c> path forwards to, on the featurizer's host.</summary>
    internal static PretrainedEncoderEstimator OnHost(IHost host, Options options) => new(host, options);

    private static void Validate(IHost host, Options o)
    {
        o.ValidatePretrained(host);
        host.CheckNonEmpty(o.InputColumnName, nameof(o.InputColumnName));
        host.CheckNonEmpty(o.OutputColumnName, nameof(o.OutputColumnName));
        host.CheckUserArg(o.TokenWeightsColumnName != o.OutputColumnName, nameof(o.TokenWeightsColumnName), "must differ from OutputColumnName");
        host.CheckUserArg(o.Pooling != PoolingMode.Attention || o.LabelColumnName != null, nameof(o.Pooling),
            "Attention pooling of a pretrained encoder is learned from a label: set LabelColumnName, or choose Mean, FirstToken or Max");
    }

    /// <summary>
    /// Reads the pretrained model and the training texts, then fine-tunes the encoder on the label, or keeps it frozen
    /// without one; returns the transformer.
    /// </summary>
    /// <param name="input">Training data with the text column (and the label column if one was named).</param>
    public PretrainedEncoderTransformer Fit(IDataView input)
        => new(_host, Columns(_options), FitEncoder(input)) { OutputCacheMegabytes = _options.OutputCacheMegabytes };

    /// <summary>The fitted encoder, for this estimator's transformer or the obsolete featurizer path's.</summary>
    internal PretrainedEncoder FitEncoder(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        var textColumn = TextColumn.Find(_host, input.Schema, o.InputColumnName);
        var label = o.LabelColumnName == null ? null : LabelColumn.Find(_host, input.Schema, o.LabelColumnName);
        var teacher = TeacherScores.Find(_host, input.Schema, o.TeacherScoreColumnName, label);
        using var run = TrainingRun.Begin(_host, o);
        using var channel = _host.Start("Training pretrained encoder");
        return PretrainedEncoderFit.Fit(_host, channel, o, o.InputColumnName, o.Normalize, keepHead: false, input, textColumn, label, run.Seed, teacher).Encoder;
    }

    /// <summary>The text, vector and token-weights columns of <paramref name="o"/>.</summary>
    internal static TextEncoderColumns Columns(Options o) => new(o.OutputColumnName, o.InputColumnName, o.TokenWeightsColumnName, o.TokenWeightsSource);

    /// <summary>
    /// The schema after the transformer: the input columns plus the vector (of the model's hidden size, read from its
    /// configuration) and, if named, the token weights.
    /// </summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.InputColumnName);
        if (_options.LabelColumnName != null)
            LabelColumn.Check(_host, inputSchema, _options.LabelColumnName);
        TeacherScores.Check(_host, inputSchema, _options.TeacherScoreColumnName, _options.LabelColumnName);
        _outputSize ??= PretrainedModelFiles.Read(_options.ModelPath, _options.VocabularyPath).Config.HiddenSize;
        return Columns(_options).Outputs.AddTo(inputSchema, _outputSize.Value);
    }
}
