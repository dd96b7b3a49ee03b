using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.TextFeaturization;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>Small saved models of each component, trained for one epoch, for tests that damage them.</summary>
internal static class SmallModelZips
{
    public static byte[] Pooling() => ModelLoadFailureTests.SavedPoolingModel();

    public static byte[] Han()
    {
        var ml = new MLContext(seed: 1);
        var documents = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(60, seed: 1));
        return ModelZip.Save(ml, ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 1))).Fit(documents), documents);
    }

    public static byte[] Featurizer()
    {
        var ml = new MLContext(seed: 1);
        var texts = ml.Data.LoadFromEnumerable(OrderTask.Generate(60, seed: 1));
        return ModelZip.Save(ml, ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(FeaturizerTestSettings.Small(epochs: 1))).Fit(texts), texts);
    }

    /// <param name="bertFolder">A Hugging Face folder (such as TinyBert's), which the frozen encoder copies into the zip.</param>
    public static byte[] Pretrained(string bertFolder)
    {
        var ml = new MLContext(seed: 1);
        var texts = ml.Data.LoadFromEnumerable(OrderTask.Generate(60, seed: 1));
        return ModelZip.Save(ml, ml.Transforms.Text.ApplyPretrainedEncoder("Embedding", "Text", bertFolder).Fit(texts), texts);
    }
}
