using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.ML.Attention.Training;
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
/// <para>Texts are read as one token sequence of at most <see cref="Options.MaximumTokens"/> tokens (including a leading
/// classification token). Longer texts keep their first and last tokens, or are encoded in windows whose vectors are
/// averaged (<see cref="Options.LongText"/>); how many tokens a cut dropped is logged.</para>
/// <para>A pretrained BERT-family encoder is <see cref="PretrainedEncoderEstimator"/>
/// (<c>mlContext.Transforms.Text.ApplyPretrainedEncoder</c>); the obsolete <see cref="Options.PretrainedModelPath"/> forwards to it.</para>
/// </remarks>
public sealed class SelfAttentionFeaturizingEstimator : IEstimator<SelfAttentionFeaturizingTransformer>
{
    /// <summary>The defaults of <see cref="Options"/> (the encoder trained from scratch).</summary>
    internal static class Defaults
    {
        public const string InputColumnName = "Text";
        public const string OutputColumnName = "Embedding";
        public const int NumberOfEpochs = 5;
        public const int BatchSize = 32;
        public const double LearningRate = 5e-4;
        public const int EarlyStoppingPatience = 2;
        public const double GradientClipNorm = 1.0;
        public const int MaximumVocabularySize = 30000;
    }

    /// <summary>Settings of <see cref="SelfAttentionFeaturizingEstimator"/>. Defaults are sized for a CPU.</summary>
    public sealed class Options : AttentionTextTrainingOptions
    {
        /// <summary>Default settings: vocabulary of at most 30,000 words, 5 epochs, batches of 32 texts, learning rate 5e-4, patience 2, gradient clipping at norm 1.</summary>
        public Options() : base(SelfAttentionFeaturizingEstimator.Defaults.NumberOfEpochs, SelfAttentionFeaturizingEstimator.Defaults.BatchSize,
            SelfAttentionFeaturizingEstimator.Defaults.LearningRate, SelfAttentionFeaturizingEstimator.Defaults.EarlyStoppingPatience,
            SelfAttentionFeaturizingEstimator.Defaults.GradientClipNorm, SelfAttentionFeaturizingEstimator.Defaults.MaximumVocabularySize)
        {
        }

        // The obsolete pretrained path keeps the pretrained encoder's training defaults.
        private protected override TrainingDefaults Defaults => ForwardedModelPath is null ? base.Defaults : PretrainedEncoderEstimator.Defaults.Training;

        private int? _maximumTokens;
        private PoolingMode? _pooling;

        /// <summary>
        /// Obsolete: use <c>mlContext.Transforms.Text.ApplyPretrainedEncoder</c> (<see cref="PretrainedModelOptions.ModelPath"/>).
        /// A pretrained BERT-family encoder on local files to use instead of training one from scratch; the fit forwards
        /// to <see cref="PretrainedEncoderEstimator"/>.
        /// </summary>
        /// <remarks>
        /// <para>Default null (train an encoder from scratch). With a model, its width, layers, heads, vocabulary,
        /// lower-casing and maximum sequence length come from the model; <see cref="Width"/>, <see cref="NumberOfLayers"/>,
        /// <see cref="NumberOfHeads"/>, <see cref="FeedForwardSize"/>, <see cref="Positions"/>, <see cref="Variant"/>,
        /// <see cref="LocalHalfWidth"/>, <see cref="OutputSize"/>, <see cref="Dropout"/>, <see cref="MaskRate"/> and the
        /// vocabulary options do not apply (the training log names the ones that were set).</para>
        /// <para>With <see cref="LabelColumnName"/> the encoder is fine-tuned (defaults then: those of <see cref="PretrainedEncoderEstimator.Options"/>);
        /// without it the vectors are the frozen model's and <c>Fit</c> only reads the model.</para>
        /// </remarks>
        [Obsolete(PretrainedPathObsolete)]
        public string? PretrainedModelPath { get => ForwardedModelPath; set => ForwardedModelPath = value; }

        /// <summary>Obsolete: use <see cref="PretrainedModelOptions.VocabularyPath"/>. The WordPiece vocabulary of an .onnx <see cref="PretrainedModelPath"/>, when it is not vocab.txt beside the file.</summary>
        /// <remarks>Default null (vocab.txt in the model's folder).</remarks>
        [Obsolete(PretrainedPathObsolete)]
        public string? PretrainedVocabularyPath { get => ForwardedVocabularyPath; set => ForwardedVocabularyPath = value; }

        /// <summary>Obsolete: use <see cref="PretrainedModelOptions.FreezeEncoder"/>. When fine-tuning a pretrained encoder: keep the whole encoder fixed and train only attention pooling and the head.</summary>
        /// <remarks>Default false (fine-tune everything). Only useful with <see cref="Pooling"/> = <see cref="PoolingMode.Attention"/>.</remarks>
        [Obsolete(PretrainedPathObsolete)]
        public bool FreezePretrainedEncoder { get => ForwardedFreezeEncoder; set => ForwardedFreezeEncoder = value; }

        // The obsolete pretrained settings, read by the forwarding without the obsolete warning.
        internal string? ForwardedModelPath { get; private set; }
        internal string? ForwardedVocabularyPath { get; private set; }
        internal bool ForwardedFreezeEncoder { get; private set; }

        /// <summary>Name of the input text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string InputColumnName { get; set; } = SelfAttentionFeaturizingEstimator.Defaults.InputColumnName;

        /// <summary>Name of the output vector column.</summary>
        /// <remarks>Default "Embedding".</remarks>
        public string OutputColumnName { get; set; } = SelfAttentionFeaturizingEstimator.Defaults.OutputColumnName;

        /// <summary>Label to learn from (key, Boolean or Single); null trains by masked-token prediction instead.</summary>
        /// <remarks>Default null (masked-token training). Set it whenever labels exist.</remarks>
        public string? LabelColumnName { get; set; }

        /// <summary>Name of an optional output column with the attention each token received; null for none.</summary>
        /// <remarks>
        /// Default null (no column). Must differ from <see cref="OutputColumnName"/>. Reading the column makes scoring
        /// slower (the weights must be materialized, so attention cannot run in libtorch's fused kernel); cursors and
        /// prediction engines that do not read it pay nothing.
        /// </remarks>
        public string? TokenWeightsColumnName { get; set; }

        /// <summary>Whether the token weights average all layers or show the last one.</summary>
        /// <remarks>Default <see cref="TokenAttentionSource.AllLayers"/>.</remarks>
        public TokenAttentionSource TokenWeightsSource { get; set; } = TokenAttentionSource.AllLayers;

        /// <summary>Tokens per window, including the leading classification token.</summary>
        /// <remarks>
        /// Default 128 (with the obsolete <see cref="PretrainedModelPath"/>, unless set, the model's: see
        /// <see cref="PretrainedModelOptions.MaximumTokens"/>). Typical range 32–512; at least 2. Cost grows with its square.
        /// </remarks>
        public int MaximumTokens { get => _maximumTokens ?? 128; set => _maximumTokens = value; }

        /// <summary>The value the user set for <see cref="MaximumTokens"/>, if any.</summary>
        internal int? MaximumTokensSet => _maximumTokens;

        /// <summary>What happens to longer texts.</summary>
        /// <remarks>Default <see cref="LongTextHandling.HeadAndTail"/>.</remarks>
        public LongTextHandling LongText { get; set; } = LongTextHandling.HeadAndTail;

        /// <summary>Encoder layers (default) or the lightweight single attention layer for short texts.</summary>
        /// <remarks>Default <see cref="SelfAttentionVariant.Encoder"/>. Lightweight ignores <see cref="NumberOfLayers"/>, <see cref="NumberOfHeads"/> and <see cref="FeedForwardSize"/>.</remarks>
        public SelfAttentionVariant Variant { get; set; } = SelfAttentionVariant.Encoder;

        /// <summary>Width of token vectors inside the encoder.</summary>
        /// <remarks>Default 128. Typical range 64–512; must be even and divisible by <see cref="NumberOfHeads"/>.</remarks>
        public int Width { get; set; } = 128;

        /// <summary>Encoder layers (Encoder variant).</summary>
        /// <remarks>Default 2. Typical range 1–6. At least 1.</remarks>
        public int NumberOfLayers { get; set; } = 2;

        /// <summary>Attention heads per layer.</summary>
        /// <remarks>Default 4. Typical range 1–8; must divide <see cref="Width"/>.</remarks>
        public int NumberOfHeads { get; set; } = 4;

        /// <summary>Hidden size of each layer's feed-forward block.</summary>
        /// <remarks>Default 256. Typical range 2–4 × <see cref="Width"/>.</remarks>
        public int FeedForwardSize { get; set; } = 256;

        /// <summary>Sinusoidal (default) or learned positions.</summary>
        /// <remarks>Default <see cref="PositionEncoding.Sinusoidal"/>.</remarks>
        public PositionEncoding Positions { get; set; } = PositionEncoding.Sinusoidal;

        /// <summary>Half-width of local (sliding-window) self-attention; 0 lets every token attend to every token.</summary>
        /// <remarks>Default 0 (global attention). Typical range 0 or 8–64 tokens.</remarks>
        public int LocalHalfWidth { get; set; }

        /// <summary>How token vectors become the text's vector.</summary>
        /// <remarks>
        /// Default <see cref="PoolingMode.Mean"/> (with the obsolete <see cref="PretrainedModelPath"/>, unless set, the
        /// model's: see <see cref="PretrainedModelOptions.Pooling"/>).
        /// </remarks>
        public PoolingMode Pooling { get => _pooling ?? PoolingMode.Mean; set => _pooling = value; }

        /// <summary>The value the user set for <see cref="Pooling"/>, if any.</summary>
        internal PoolingMode? PoolingSet => _pooling;

        /// <summary>Size of a learned projection of the pooled vector; 0 keeps <see cref="Width"/>.</summary>
        /// <remarks>Default 0 (<see cref="Width"/> values). Typical range 0 or 32–<see cref="Width"/>.</remarks>
        public int OutputSize { get; set; }

        /// <summary>Dropout inside the encoder.</summary>
        /// <remarks>Default 0.1. Allowed [0, 1); typical range 0–0.3.</remarks>
        public double Dropout { get; set; } = 0.1;

        /// <summary>Share of tokens hidden in masked-token training.</summary>
        /// <remarks>Default 0.15. Allowed (0, 1); typical range 0.1–0.3. Used only without a label.</remarks>
        public double MaskRate { get; set; } = 0.15;

    }

    /// <summary>The message of the obsolete pretrained path, which names the new API.</summary>
    internal const string PretrainedPathObsolete = "A pretrained encoder is a transform of its own: use mlContext.Transforms.Text.ApplyPretrainedEncoder " +
        "(PretrainedEncoderEstimator.Options.ModelPath). SelfAttentionFeaturize with PretrainedModelPath forwards to it and will be removed in the next release.";

    private readonly IHost _host;
    private readonly Options _options;

    internal SelfAttentionFeaturizingEstimator(IHostEnvironment env, Options options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(SelfAttentionFeaturizingEstimator));
        _host.CheckValue(options, nameof(options));
        Validate(_host, options);
        _options = options;
        if (options.ForwardedModelPath != null)
            Forwarded();   // the pretrained encoder's checks, now as before
    }

    // The pretrained encoder the obsolete PretrainedModelPath forwards to, made from the options as they are when it is
    // needed (as the featurizer read them), on this estimator's host (whose random numbers choose the seed as before).
    private PretrainedEncoderEstimator Forwarded() => PretrainedEncoderEstimator.OnHost(_host, PretrainedPathForwarding.Options(_options));

    private static void Validate(IHost host, Options o)
    {
        o.ValidateTextTraining(host);
        host.CheckNonEmpty(o.InputColumnName, nameof(o.InputColumnName));
        host.CheckNonEmpty(o.OutputColumnName, nameof(o.OutputColumnName));
        host.CheckUserArg(o.MaximumTokens >= 2, nameof(o.MaximumTokens), "must be at least 2 (the classification token and one word)");
        host.CheckUserArg(o.Width >= 2 && o.Width % 2 == 0, nameof(o.Width), "must be an even number of at least 2");
        // The lightweight variant has a single attention and never reads NumberOfHeads.
        host.CheckUserArg(o.Variant == SelfAttentionVariant.Lightweight || o.NumberOfHeads >= 1 && o.Width % o.NumberOfHeads == 0,
            nameof(o.NumberOfHeads), $"must divide Width ({o.Width})");
        host.CheckUserArg(o.NumberOfLayers >= 1, nameof(o.NumberOfLayers), "must be at least 1");
        host.CheckUserArg(o.FeedForwardSize >= 1, nameof(o.FeedForwardSize), "must be at least 1");
        host.CheckUserArg(o.LocalHalfWidth >= 0, nameof(o.LocalHalfWidth), "must be 0 (global) or positive");
        host.CheckUserArg(o.OutputSize >= 0, nameof(o.OutputSize), "must be 0 (Width) or positive");
        host.CheckUserArg(o.Dropout >= 0 && o.Dropout < 1, nameof(o.Dropout), "must be in [0, 1)");
        host.CheckUserArg(o.MaskRate > 0 && o.MaskRate < 1, nameof(o.MaskRate), "must be in (0, 1)");
        host.CheckUserArg(o.TokenWeightsColumnName != o.OutputColumnName, nameof(o.TokenWeightsColumnName), "must differ from OutputColumnName");
        if (o.ForwardedModelPath is null)
        {
            host.CheckUserArg(o.ForwardedVocabularyPath is null, "PretrainedVocabularyPath", "applies only with PretrainedModelPath");
            host.CheckUserArg(!o.ForwardedFreezeEncoder, "FreezePretrainedEncoder", "applies only with PretrainedModelPath");
            return;
        }
        host.CheckUserArg(o.ForwardedModelPath.Length > 0, "PretrainedModelPath", "must be a model folder or .onnx file, or null");
        host.CheckUserArg(o.PretrainedVectorsPath is null, nameof(o.PretrainedVectorsPath),
            "cannot be combined with PretrainedModelPath (a pretrained encoder brings its own word-piece embeddings)");
        // The pretrained encoder's own checks run when the forwarded estimator is made.
    }

    /// <summary>
    /// Reads the training texts once and trains the encoder from scratch, or reads the pretrained model and fine-tunes
    /// it (with a label) or keeps it frozen (without); returns the transformer.
    /// </summary>
    /// <param name="input">Training data with the text column (and the label column if one was named).</param>
    public SelfAttentionFeaturizingTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        if (o.ForwardedModelPath != null)
        {
            PretrainedPathForwarding.LogIgnoredOptions(_host, o);
            return new SelfAttentionFeaturizingTransformer(_host, Columns(o), Forwarded().FitEncoder(input)) { OutputCacheMegabytes = o.OutputCacheMegabytes };
        }
        var textColumn = TextColumn.Find(_host, input.Schema, o.InputColumnName);
        var label = o.LabelColumnName == null ? null : LabelColumn.Find(_host, input.Schema, o.LabelColumnName);
        var teacher = TeacherScores.Find(_host, input.Schema, o.TeacherScoreColumnName, label);

        using var run = TrainingRun.Begin(_host, o);
        var seed = run.Seed;

        using var channel = _host.Start("Training self-attention featurizer");
        var encoder = FitFromScratch(channel, input, textColumn, label, seed, teacher);
        return new SelfAttentionFeaturizingTransformer(_host, Columns(o), encoder) { OutputCacheMegabytes = o.OutputCacheMegabytes };
    }

    private FromScratchEncoder FitFromScratch(IChannel channel, IDataView input, DataViewSchema.Column textColumn, LabelColumn? label, int seed,
        TeacherScores? teacher)
    {
        var o = _options;
        var text = new TextPreprocessing(o.LowerCase, o.KeepPunctuation, MaximumTokens: o.MaximumTokens, LongText: o.LongText);
        var tokenizer = text.CreateTokenizer();
        var read = TextTrainingSteps.ReadDocuments(_host, channel, input, textColumn, label, tokenizer, "training", teacher);
        var (documents, targets) = (read.Rows, read.Targets);
        TrainingRun.CheckTargets(_host, documents.Count, targets, label, o.InputColumnName);

        var vocabulary = TextTrainingSteps.Vocabulary(_host, channel, documents, o, o.InputColumnName);

        var architecture = new FeaturizerArchitecture(vocabulary.Count + FeaturizerArchitecture.ExtraTokenCount, o.Variant, o.Width, o.NumberOfLayers, o.NumberOfHeads, o.FeedForwardSize,
            o.Positions, o.MaximumTokens, o.LocalHalfWidth, o.Pooling, o.OutputSize, o.Dropout);
        var windowEncoder = TokenWindowEncoder.Create(text, vocabulary, architecture.ClassificationTokenId);
        var windows = documents.Select(windowEncoder.Encode).ToArray();
        TrainingRun.ReportLongTexts(channel, windows.Select(w => w.DroppedTokens).ToArray(), o.MaximumTokens, o.LongText);

        var (train, validation) = TrainingRun.Split(windows.Length, o.ValidationFraction, seed);
        channel.Info($"{train.Length} training texts, {validation.Length} validation texts, " +
            (label == null ? "masked-token training." : label.IsRegression ? "regression." : $"{label.Classes} classes."));

        var pretrained = TextTrainingSteps.WordVectors(_host, channel, o, vocabulary, seed, textColumn, o.Width, nameof(o.Width));
        if (pretrained != null && pretrained.Dimension != o.Width)
            throw _host.ExceptUserArg(nameof(o.PretrainedVectorsPath), $"the vectors have dimension {pretrained.Dimension}; set Width to {pretrained.Dimension}");
        var module = TextTrainingSteps.BuildAndTrain(() => new SelfAttentionEncoder(architecture), module =>
        {
            pretrained?.CopyInto(module.EmbeddingWeight, o.FreezePretrainedVectors);
            var settings = o.ToSettings(seed);
            if (label != null)
                SelfAttentionFeaturizerTraining.Supervised(_host, channel, module, windows, targets, label, train, validation, settings,
                    o.ToDistillation(read.Teacher));
            else
                SelfAttentionFeaturizerTraining.MaskedTokens(_host, channel, module, windows, train, validation, settings, o.MaskRate);
        });
        return new FromScratchEncoder(text, vocabulary, architecture, module);
    }

    private static TextEncoderColumns Columns(Options o) => new(o.OutputColumnName, o.InputColumnName, o.TokenWeightsColumnName, o.TokenWeightsSource);

    /// <summary>The schema after the transformer: the input columns plus the vector and, if named, the token weights.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (_options.ForwardedModelPath != null)
            return Forwarded().GetOutputSchema(inputSchema);
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.InputColumnName);
        if (_options.LabelColumnName != null)
            LabelColumn.Check(_host, inputSchema, _options.LabelColumnName);
        TeacherScores.Check(_host, inputSchema, _options.TeacherScoreColumnName, _options.LabelColumnName);
        return Columns(_options).Outputs.AddTo(inputSchema, _options.OutputSize > 0 ? _options.OutputSize : _options.Width);
    }
}
