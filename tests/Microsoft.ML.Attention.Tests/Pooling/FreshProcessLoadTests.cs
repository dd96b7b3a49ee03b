using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pooling;

[TestClass]
public sealed class FreshProcessLoadTests
{
    [TestMethod]
    public void ModelSavedHereLoadsInAnotherProcessWithoutRegistrationAndScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(60, vectorSize: 4, seed: 77));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", WeightsColumnName = "Weights",
                LabelColumnName = "Label", VectorSize = 4, NumberOfEpochs = 3, NumberOfHeads = 2, OutputSize = 3,
            }))
            .Append(ml.Transforms.CopyColumns("Features", "Pooled"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));
        FreshProcess.AssertScoresIdentically<SequenceRow>(ml, pipeline.Fit(data), data, "sequence", "Pooled", "Weights", "Score");
    }
}
