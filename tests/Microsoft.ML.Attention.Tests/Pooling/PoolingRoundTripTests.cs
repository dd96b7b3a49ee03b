using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pooling;

[TestClass]
public sealed class PoolingRoundTripTests
{
    private sealed class Prediction
    {
        public float[] Pooled { get; set; } = System.Array.Empty<float>();
        public float[] Weights { get; set; } = System.Array.Empty<float>();
        public float[] Score { get; set; } = System.Array.Empty<float>();
        public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void PipelineWithPoolingSavesAndLoadsWithIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(200, vectorSize: 4, seed: 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling("Pooled", "Sequence", vectorSize: 4, labelColumnName: "Label", weightsColumnName: "Weights"))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));
        var model = pipeline.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"pooling-{System.Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);

            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.Load(path, out var schema);
            var freshData = fresh.Data.LoadFromEnumerable(rows);
            var before = model.Transform(data);
            var after = loaded.Transform(freshData);
            foreach (var column in new[] { "Pooled", "Weights", "Features", "Score" })
                ColumnAssert.AreEqual(ColumnAssert.Vectors(before, column), ColumnAssert.Vectors(after, column), column);

            // PredictionEngine scores one row per call: equal to the batched Transform up to float rounding,
            // and bit-identical between the original and the reloaded model.
            var originalEngine = ml.Model.CreatePredictionEngine<SequenceRow, Prediction>(model);
            var engine = fresh.Model.CreatePredictionEngine<SequenceRow, Prediction>(loaded);
            var expectedPooled = ColumnAssert.Vectors(before, "Pooled");
            var expectedWeights = ColumnAssert.Vectors(before, "Weights");
            var expectedScores = ColumnAssert.Vectors(before, "Score");
            for (int i = 0; i < rows.Count; i++)
            {
                var original = originalEngine.Predict(rows[i]);
                var prediction = engine.Predict(rows[i]);
                CollectionAssert.AreEqual(original.Pooled, prediction.Pooled, $"reloaded PredictionEngine pooled, row {i}");
                CollectionAssert.AreEqual(original.Weights, prediction.Weights, $"reloaded PredictionEngine weights, row {i}");
                CollectionAssert.AreEqual(original.Score, prediction.Score, $"reloaded PredictionEngine scores, row {i}");
                FloatAssert.AreClose(expectedPooled[i], prediction.Pooled, $"PredictionEngine vs Transform pooled, row {i}");
                FloatAssert.AreClose(expectedWeights[i], prediction.Weights, $"PredictionEngine vs Transform weights, row {i}");
                FloatAssert.AreClose(expectedScores[i], prediction.Score, $"PredictionEngine vs Transform scores, row {i}");
            }
            Assert.AreEqual(rows[0].Sequence.Length / 4, expectedWeights[0].Length);
            Assert.AreEqual(1.0, expectedWeights[0].Sum(), 1e-5);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
