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
