using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

/// <summary>
/// The document classification pipeline: labels to keys, a hierarchical attention network with its sentence weights,
/// the predicted key back to its category name. Shared with samples/OnnxDeployment, which exports it.
/// </summary>
internal static class TicketPipeline
{
    public static EstimatorChain<KeyToValueMappingTransformer> Create(MLContext ml, HierarchicalAttentionTrainer.Options options)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedCategory", "PredictedLabel"));

    public static HierarchicalAttentionTrainer.Options Options(int epochs) => new()
    {
        LabelColumnName = "Label",
        TextColumnName = "Text",
        NumberOfEpochs = epochs,
        SentenceWeightsColumnName = "SentenceWeights",
    };
}
