using System;
using System.Linq;
using Microsoft.ML.Runtime;
using FeaturizerOptions = Microsoft.ML.Attention.SelfAttentionFeaturizingEstimator.Options;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// The obsolete <c>SelfAttentionFeaturize</c> with <c>PretrainedModelPath</c>, kept for one release: its options become
/// <see cref="PretrainedEncoderEstimator.Options"/>, which fit the encoder; the featurizer's transformer holds it.
/// </summary>
internal static class PretrainedPathForwarding
{
    // Options that describe an encoder trained from scratch; with a pretrained model they do not apply.
    private static readonly (string Name, Func<FeaturizerOptions, object?> Value)[] FromScratchOptions =
    {
        (nameof(FeaturizerOptions.Width), o => o.Width),
        (nameof(FeaturizerOptions.NumberOfLayers), o => o.NumberOfLayers),
        (nameof(FeaturizerOptions.NumberOfHeads), o => o.NumberOfHeads),
        (nameof(FeaturizerOptions.FeedForwardSize), o => o.FeedForwardSize),
        (nameof(FeaturizerOptions.Positions), o => o.Positions),
        (nameof(FeaturizerOptions.Variant), o => o.Variant),
        (nameof(FeaturizerOptions.LocalHalfWidth), o => o.LocalHalfWidth),
        (nameof(FeaturizerOptions.OutputSize), o => o.OutputSize),
        (nameof(FeaturizerOptions.Dropout), o => o.Dropout),
        (nameof(FeaturizerOptions.MaskRate), o => o.MaskRate),
        (nameof(FeaturizerOptions.LowerCase), o => o.LowerCase),
        (nameof(FeaturizerOptions.KeepPunctuation), o => o.KeepPunctuation),
        (nameof(FeaturizerOptions.MinimumWordCount), o => o.MinimumWordCount),
        (nameof(FeaturizerOptions.MaximumVocabularySize), o => o.MaximumVocabularySize),
    };

    /// <summary>The pretrained encoder's options that the featurizer's options stand for (unset values stay unset).</summary>
    public static PretrainedEncoderEstimator.Options Options(FeaturizerOptions o) => new()
    {
        ModelPath = o.ForwardedModelPath!,
        VocabularyPath = o.ForwardedVocabularyPath,
        InputColumnName = o.InputColumnName,
        OutputColumnName = o.OutputColumnName,
        LabelColumnName = o.LabelColumnName,
        TokenWeightsColumnName = o.TokenWeightsColumnName,
        TokenWeightsSource = o.TokenWeightsSource,
        MaximumTokens = o.MaximumTokensSet,
        LongText = o.LongText,
        Pooling = o.PoolingSet,
        FreezeEncoder = o.ForwardedFreezeEncoder,
        FreezeEmbeddings = o.FreezePretrainedVectors,
        // The featurizer's training settings read the pretrained encoder's defaults when unset (its Options.Defaults).
        NumberOfEpochs = o.NumberOfEpochs,
        BatchSize = o.BatchSize,
        LearningRate = o.LearningRate,
        Optimizer = o.Optimizer,
        WeightDecay = o.WeightDecay,
        WarmupFraction = o.WarmupFraction,
        GradientClipNorm = o.GradientClipNorm,
        ValidationFraction = o.ValidationFraction,
        EarlyStoppingPatience = o.EarlyStoppingPatience,
        NumberOfThreads = o.NumberOfThreads,
        Seed = o.Seed,
        OutputCacheMegabytes = o.OutputCacheMegabytes,
        Progress = o.Progress,
        TeacherScoreColumnName = o.TeacherScoreColumnName,
        DistillationTemperature = o.DistillationTemperature,
        DistillationWeight = o.DistillationWeight,
    };

    /// <summary>Says that the path is obsolete, and warns of the featurizer's options that were set but do not apply.</summary>
    public static void LogIgnoredOptions(IHost host, FeaturizerOptions o)
    {
        using var channel = host.Start("Forwarding to the pretrained encoder");
        channel.Warning("SelfAttentionFeaturize with PretrainedModelPath is obsolete and forwards to ApplyPretrainedEncoder; use that instead. " +
            "These options come from the model: " + string.Join(", ", FromScratchOptions.Select(f => f.Name)) + ".");
        var defaults = new FeaturizerOptions();
        var ignored = FromScratchOptions.Where(f => !Equals(f.Value(o), f.Value(defaults))).Select(f => f.Name).ToList();
        if (ignored.Count > 0)
            channel.Warning($"The options {string.Join(", ", ignored)} were set but do not apply to a pretrained encoder; they are ignored.");
    }
}
