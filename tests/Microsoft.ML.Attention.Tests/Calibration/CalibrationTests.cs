using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Calibration;

/// <summary>
/// The expected calibration error, the reliability table and the coverage at a threshold, against values computed by
/// hand in double precision from the float probabilities.
/// </summary>
[TestClass]
public sealed class CalibrationTests
{
    private sealed class MulticlassRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Probability { get; set; }
    }

    private static double Gap(float confidence, double accuracy) => Math.Abs(accuracy - confidence);

    [TestMethod]
    public void MulticlassCalibrationIsTheWeightedGapOfEachBin()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            // A class object's key values count from 0; ML.NET reads one beyond the key's count as missing.
            new MulticlassRow { Label = 0, Score = new[] { 0.9f, 0.05f, 0.05f } },   // confidence 0.9, right
            new MulticlassRow { Label = 1, Score = new[] { 0.75f, 0.15f, 0.1f } },   // 0.75, wrong
            new MulticlassRow { Label = 2, Score = new[] { 0.2f, 0.25f, 0.55f } },   // 0.55, right
            new MulticlassRow { Label = 0, Score = new[] { 0.95f, 0.03f, 0.02f } },  // 0.95, right
            new MulticlassRow { Label = 3, Score = new[] { 0.1f, 0.1f, 0.8f } },     // missing label: skipped
        });
        var metrics = ml.MulticlassClassification.EvaluateCalibration(data, bins: 5);

        double top = ((double)0.9f + 0.95f) / 2;
        double expected = Gap(0.55f, 1) / 4 + Gap(0.75f, 0) / 4 + Math.Abs(1 - top) * 2 / 4;
        Assert.AreEqual(4, metrics.Count);
        Assert.AreEqual(0.75, metrics.Accuracy, 1e-12);
        Assert.AreEqual(expected, metrics.ExpectedCalibrationError, 1e-9);
        Assert.AreEqual(Gap(0.75f, 0), metrics.MaximumCalibrationError, 1e-9);
        CollectionAssert.AreEqual(new long[] { 0, 0, 1, 1, 2 }, metrics.Bins.Select(b => b.Count).ToArray());
        Assert.AreEqual(top, metrics.Bins[4].MeanConfidence, 1e-9);
        Assert.IsTrue(double.IsNaN(metrics.Bins[0].Accuracy), "an empty bin has no accuracy");
        Assert.AreEqual((0.5, 1.0), metrics.AtThreshold(0.8));
        var none = metrics.AtThreshold(0.99);
        Assert.AreEqual(0, none.Coverage);
        Assert.IsTrue(double.IsNaN(none.Accuracy));
    }

    [TestMethod]
    public void BinaryConfidenceIsTheProbabilityOfThePredictedClass()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new BinaryRow { Label = true, Probability = 0.9f },    // predicts true at 0.9: right
            new BinaryRow { Label = false, Probability = 0.3f },   // predicts false at 0.7: right
            new BinaryRow { Label = true, Probability = 0.4f },    // predicts false at 0.6: wrong
            new BinaryRow { Label = false, Probability = 0.05f },  // predicts false at 0.95: right
        });
        var metrics = ml.BinaryClassification.EvaluateCalibration(data, bins: 5);

        double top = (0.9f + (1 - (double)0.05f)) / 2;
        double expected = Math.Abs(1 - top) * 2 / 4 + Math.Abs(1 - (1 - (double)0.3f)) / 4 + Math.Abs(0 - (1 - (double)0.4f)) / 4;
        Assert.AreEqual(expected, metrics.ExpectedCalibrationError, 1e-9);
        Assert.AreEqual(0.75, metrics.Accuracy, 1e-12);
        CollectionAssert.AreEqual(new long[] { 0, 0, 1, 1, 2 }, metrics.Bins.Select(b => b.Count).ToArray());
    }

    [TestMethod]
    public void ColumnsThatAreNotProbabilitiesAreRefusedNamingThem()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(new[] { new MulticlassRow { Label = 0, Score = new[] { 2.5f, -1f, 0f } } });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.EvaluateCalibration(raw));
        StringAssert.Contains(error.Message, "'Score'");
        StringAssert.Contains(error.Message, "2.5");

        var binary = ml.Data.LoadFromEnumerable(new[] { new BinaryRow { Label = true, Probability = 0.5f } });
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.EvaluateCalibration(binary, probabilityColumnName: "Score"));
        StringAssert.Contains(missing.Message, "Score");
        var wrongLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.EvaluateCalibration(binary, scoreColumnName: "Probability"));
        StringAssert.Contains(wrongLabel.Message, "key type");
    }
}
