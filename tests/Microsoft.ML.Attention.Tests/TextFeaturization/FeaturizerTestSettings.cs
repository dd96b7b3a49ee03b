namespace Microsoft.ML.Attention.Tests.TextFeaturization;

/// <summary>A small encoder that learns the synthetic tasks in seconds.</summary>
public static class FeaturizerTestSettings
{
    public static SelfAttentionFeaturizingEstimator.Options Small(string? label = "Label", int epochs = 12) => new()
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        LabelColumnName = label,
        Width = 32,
        NumberOfHeads = 2,
        NumberOfLayers = 2,
        FeedForwardSize = 64,
        MaximumTokens = 16,
        MinimumWordCount = 1,
        NumberOfEpochs = epochs,
        LearningRate = 2e-3,
        BatchSize = 32,
        Dropout = 0,
        EarlyStoppingPatience = 3,
    };
}
