using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Calibration;

/// <summary>
/// Temperature scaling recovers the temperature that generated the labels; the HAN's option changes its probabilities
/// but not its predicted labels, and the temperature travels in the saved model.
/// </summary>
[TestClass]
public sealed class TemperatureScalingTests
{
    [TestMethod]
    public void RecoversTheTemperatureThatDrewTheLabels()
    {
        // Labels drawn from softmax(z / 2.5): the fitted temperature must be 2.5, within sampling noise.
        var random = new Random(7);
        var logits = new List<float[]>();
        var labels = new List<int>();
        for (int i = 0; i < 20000; i++)
        {
            var z = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 12 - 6)).ToArray();
            var p = z.Select(v => Math.Exp(v / 2.5)).ToArray();
            double u = random.NextDouble() * p.Sum(), cumulative = 0;
            int label = 0;
            while ((cumulative += p[label]) < u && label < 3)
                label++;
            logits.Add(z);
            labels.Add(label);
        }
        labels[0] = -1;   // a row without a label is skipped
        Assert.AreEqual(2.5, TemperatureScaling.Fit(logits, labels), 0.1);
        Assert.AreEqual(1.0, TemperatureScaling.Fit(logits.Take(1).ToList(), new[] { -1 }), "no labelled row: no scaling");
    }

    // Mean negative log-likelihood under softmax(z / T), written out in double as the reference.
    private static double ReferenceLoss(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature)
    {
        double sum = 0;
        for (int i = 0; i < logits.Count; i++)
        {
            var scaled = logits[i].Select(v => v / temperature).ToArray();
            double max = scaled.Max();
            sum += max + Math.Log(scaled.Sum(v => Math.Exp(v - max))) - scaled[labels[i]];
        }
        return sum / logits.Count;
    }

    [TestMethod]
    [DataRow(20, 400, 3.0, 0.6, DisplayName = "20 classes, over-confident logits (the fit lowers them)")]
    [DataRow(2, 60, 0.5, 1.8, DisplayName = "2 classes, few rows, under-confident logits (the fit sharpens them)")]
    public void FitsTheMinimumOfAFineGridInDouble(int classes, int rows, double logitScale, double labelTemperature)
    {
        // Logits of a network that is right most of the time, labels drawn from softmax(z / labelTemperature).
        var random = new Random(classes * 1000 + rows);
        var logits = new List<float[]>();
        var labels = new List<int>();
        for (int i = 0; i < rows; i++)
        {
            var z = Enumerable.Range(0, classes).Select(_ => (float)(random.NextDouble() * 2 * logitScale)).ToArray();
            z[random.Next(classes)] += (float)(2 * logitScale);
            var p = z.Select(v => Math.Exp(v / labelTemperature)).ToArray();
            double u = random.NextDouble() * p.Sum(), cumulative = 0;
            int label = 0;
            while ((cumulative += p[label]) < u && label < classes - 1)
                label++;
            logits.Add(z);
            labels.Add(label);
        }
        // The grid: log T in steps of 0.01 over [-4, 4], then steps of 1e-5 around its best point.
        double Best(double from, double to, double step) => Enumerable.Range(0, (int)Math.Round((to - from) / step) + 1)
            .Select(k => from + k * step).MinBy(logT => ReferenceLoss(logits, labels, Math.Exp(logT)));
        double coarse = Best(-4, 4, 0.01);
        double grid = Math.Exp(Best(coarse - 0.01, coarse + 0.01, 1e-5));

        double fitted = TemperatureScaling.Fit(logits, labels);
        Assert.AreEqual(grid, fitted, 1e-4 * grid, "the fitted temperature is the grid's minimum");
        Assert.IsTrue(ReferenceLoss(logits, labels, fitted) <= ReferenceLoss(logits, labels, grid) + 1e-9, "no grid point has a lower loss");
        Assert.AreNotEqual(1.0, grid, 0.05, "the case needs scaling, or the test could not fail");
    }

    private static HierarchicalAttentionTrainer.Options Options(bool scale)
    {
        var options = HanTestSettings.Small();
        options.ValidationFraction = 0.25;
        options.ScaleTemperature = scale;
        return options;
    }

    [TestMethod]
    public void TheHansScaledProbabilitiesKeepItsPredictedLabelsAndAreSaved()
    {
        var rows = SyntheticDocuments.Generate(240, seed: 21);
        float[][] Scores(bool scale, out uint[] predicted)
        {
            var ml = new MLContext(seed: 5);
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(Options(scale))).Fit(data);
            var scored = model.Transform(data);
            predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
            Assert.AreEqual(scale, model.LastTransformer.Temperature != 1, "Temperature is 1 unless fitted");
            var scores = scored.GetColumn<float[]>("Score").ToArray();
            using var stream = new System.IO.MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext(seed: 9).Model.Load(stream, out _);
            var reloaded = loaded.Transform(data).GetColumn<float[]>("Score").ToArray();
            for (int i = 0; i < scores.Length; i++)
                CollectionAssert.AreEqual(scores[i], reloaded[i], $"row {i} after save and load");
            return scores;
        }
        var plain = Scores(scale: false, out var plainLabels);
        var scaled = Scores(scale: true, out var scaledLabels);
        CollectionAssert.AreEqual(plainLabels, scaledLabels, "scaling never changes a predicted label");
        Assert.IsTrue(plain.Zip(scaled).Any(p => Math.Abs(p.First.Max() - p.Second.Max()) > 1e-4), "the probabilities changed");
    }
}
