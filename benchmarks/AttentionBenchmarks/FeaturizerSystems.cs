using System.IO;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// This library's self-attention featurizer at its default settings (width 128, 2 layers, 4 heads, 128 tokens,
/// mean pooling), with the reference's training settings (benchmarks/reference/encoder.py): Adam 5e-4, batch 32,
/// all training documents (no validation hold-out), 2 threads. Its vectors feed SdcaMaximumEntropy through a cache
/// checkpoint, so SDCA's passes over the data do not run the encoder again each time.
/// </summary>
public abstract class FeaturizerSystem : PipelineSystem
{
    private readonly int _epochs;

    protected FeaturizerSystem(int epochs) => _epochs = epochs;

    protected override int Epochs => _epochs;

    protected SelfAttentionFeaturizingEstimator.Options Settings(string? label) => new()
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        LabelColumnName = label,
        NumberOfEpochs = _epochs,
        ValidationFraction = 0,
        NumberOfThreads = 2,
    };

    protected static SelfAttentionFeaturizingEstimator.Options WithValidation(SelfAttentionFeaturizingEstimator.Options options)
    {
        options.ValidationFraction = new SelfAttentionFeaturizingEstimator.Options().ValidationFraction;
        return options;
    }

    protected string Describe(string what) => $"{what}; featurizer defaults, {_epochs} epochs, 2 threads";
}

/// <summary>(a) supervised featurizer vectors → SdcaMaximumEntropy.</summary>
public sealed class FeaturizerSdcaSystem : FeaturizerSystem
{
    public FeaturizerSdcaSystem(int epochs = 3) : base(epochs) { }

    public override string Name => Epochs == 3 ? "selfattention-sdca" : $"selfattention-sdca-{Epochs}epoch";

    protected override string Notes => Describe("supervised vectors → SDCA");

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(Settings("Label")))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Embedding"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
}

/// <summary>
/// (b) supervised featurizer vectors concatenated with FeaturizeText n-grams → SdcaMaximumEntropy. Here the
/// featurizer keeps its default validation hold-out (10%) and early stopping, up to 5 epochs, and its vectors are
/// L2-normalized: both keep SDCA, which learns from the featurizer's own training rows, from over-trusting the
/// vectors next to the n-grams (see docs/self-attention-featurizer.md, "stacking").
/// </summary>
public sealed class FeaturizerNgramsSdcaSystem : FeaturizerSystem
{
    public FeaturizerNgramsSdcaSystem(int epochs = 5) : base(epochs) { }

    public override string Name => "selfattention-ngrams-sdca";

    protected override string Notes => $"supervised vectors (L2-normalized) + FeaturizeText → SDCA; featurizer defaults incl. 10% validation and early stopping, at most {Epochs} epochs, 2 threads";

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(WithValidation(Settings("Label"))))
            .Append(ml.Transforms.NormalizeLpNorm("EmbeddingScaled", "Embedding"))
            .Append(ml.Transforms.Text.FeaturizeText("Ngrams", "Text"))
            .Append(ml.Transforms.Concatenate("Features", "EmbeddingScaled", "Ngrams"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
}

/// <summary>(c) featurizer trained without labels (masked tokens) → SdcaMaximumEntropy.</summary>
public sealed class SelfSupervisedSdcaSystem : FeaturizerSystem
{
    public SelfSupervisedSdcaSystem(int epochs = 3) : base(epochs) { }

    public override string Name => "selfattention-selfsupervised-sdca";

    protected override string Notes => Describe("masked-token vectors (no labels) → SDCA");

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(Settings(null)))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Embedding"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
}
