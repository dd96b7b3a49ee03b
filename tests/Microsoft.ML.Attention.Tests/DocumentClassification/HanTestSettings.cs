namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>A small network that learns the synthetic task in seconds.</summary>
public static class HanTestSettings
{
    public static HierarchicalAttentionTrainer.Options Small(int epochs = 8) => new()
    {
        LabelColumnName = "Label",
        TextColumnName = "Text",
        SentenceWeightsColumnName = "SentenceWeights",
        WordWeightsColumnName = "WordWeights",
        EmbeddingSize = 24,
        WordHiddenSize = 16,
        SentenceHiddenSize = 16,
        AttentionSize = 16,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        LearningRate = 0.01,
        EarlyStoppingPatience = 3,
    };
}
