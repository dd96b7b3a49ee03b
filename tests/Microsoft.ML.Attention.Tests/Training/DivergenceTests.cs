using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// A loss that becomes NaN or infinite stops the fit with an error naming what in this run can cause it, instead of
/// a model that scores NaN.
/// </summary>
[TestClass]
public sealed class DivergenceTests
{
    [TestMethod]
    public void AnAbsurdLearningRateStopsTheFitNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(64, 4, seed: 2));
        var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                LabelColumnName = "Label", VectorSize = 4, OutputSize = 4, NumberOfEpochs = 5, BatchSize = 16,
                Optimizer = OptimizerKind.SgdMomentum, LearningRate = 1e30,
            })).Fit(data));
        StringAssert.Contains(error.Message, "training diverged");
        StringAssert.Contains(error.Message, "LearningRate = 1E+30");
    }

    [TestMethod]
    public void TheErrorNamesTheWordVectorFileWhenThereIsOne()
    {
        var vectors = Path.Combine(Path.GetTempPath(), $"divergence-vectors-{Environment.ProcessId}.txt");
        File.WriteAllLines(vectors, new[] { "committee 0.5 0.1 0.2 0.3", "budget 0.1 0.9 0.4 0.2" });
        try
        {
            var ml = new MLContext(seed: 1);
            var options = HanTestSettings.Small(epochs: 3);
            options.PretrainedVectorsPath = vectors;
            options.Optimizer = OptimizerKind.SgdMomentum;
            options.LearningRate = 1e30;
            var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options))
                .Fit(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(48, seed: 2))));
            StringAssert.Contains(error.Message, "training diverged");
            StringAssert.Contains(error.Message, vectors);
        }
        finally
        {
            File.Delete(vectors);
        }
    }
}
