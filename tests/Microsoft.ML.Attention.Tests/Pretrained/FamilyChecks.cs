using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// What every model family's tests check the same way: frozen vectors against a PyTorch reference's, and fine-tuning
/// on the order task, then scoring identically in a fresh process.
/// </summary>
internal static class FamilyChecks
{
    // The references are computed in double precision; float32 scoring differs by rounding, far below this bound.
    public const double Tolerance = 1e-4;

    /// <summary>A reference.json's rows of numbers under <paramref name="name"/>.</summary>
    public static double[][] Rows(JsonElement root, string name)
        => root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    /// <summary>A reference.json's rows of ids under <paramref name="name"/>.</summary>
    public static int[][] Ids(JsonElement root, string name)
        => root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    /// <summary>The frozen vectors of <paramref name="texts"/> through <c>ApplyPretrainedEncoder</c>.</summary>
    public static List<float[]> Vectors(string modelPath, PoolingMode pooling, IEnumerable<string> texts)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToList());
        var options = PretrainedEncoderTests.Frozen(modelPath);
        options.Pooling = pooling;
        return ColumnAssert.Vectors(ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data).Transform(data), "Embedding");
    }

    /// <summary>Every element of <paramref name="actual"/> within <see cref="Tolerance"/> of PyTorch's <paramref name="expected"/>.</summary>
    public static void AssertClose(double[][] expected, IReadOnlyList<float[]> actual, string what)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            for (int d = 0; d < expected[i].Length; d++)
                worst = Math.Max(worst, Math.Abs(expected[i][d] - actual[i][d]));
        Console.WriteLine($"{what}: max abs difference from PyTorch {worst:G3} over {expected.Length} texts");
        Assert.IsTrue(worst <= Tolerance, $"{what}: max abs difference {worst:G3} from PyTorch's vectors");
    }

    /// <summary>
    /// A randomly initialized model in <paramref name="folder"/> learns the order task when fine-tuned (frozen, it
    /// cannot), and its fine-tuned and frozen models score identically in a fresh process without the folder, which
    /// this deletes. <paramref name="fillers"/>: the task's words around "alpha" and "beta", null for its own;
    /// <paramref name="minimumGain"/>: how much more accurate than frozen the fine-tuned vectors must be.
    /// </summary>
    public static void AssertFineTuningLearnsAndScoresIdentically(string folder, string family, IReadOnlyList<string>? fillers = null, double minimumGain = 0.2)
    {
        try
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 21, fillers));
            var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 22, fillers));
            double Accuracy(PretrainedEncoderEstimator.Options options)
            {
                var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
                    .AppendCacheCheckpoint(ml)
                    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Embedding"));
                return ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test)).MicroAccuracy;
            }
            var frozen = Accuracy(PretrainedEncoderTests.Frozen(folder));
            var fineTuned = Accuracy(PretrainedEncoderTests.FineTuning(folder));
            Console.WriteLine($"{family}: frozen {frozen:P1}, fine-tuned {fineTuned:P1}");
            Assert.IsTrue(fineTuned >= 0.9, $"fine-tuned accuracy {fineTuned:P1}");
            Assert.IsTrue(fineTuned >= frozen + minimumGain, $"fine-tuned {fineTuned:P1} vs frozen {frozen:P1}");

            var rows = PretrainedEncoderTests.Rows(60, seed: 5);
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.FineTuning(folder, epochs: 1))).Fit(data);
            var frozenModel = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(folder)).Fit(data);
            Directory.Delete(folder, recursive: true);
            FreshProcess.AssertScoresIdentically<DocumentRow>(ml, model, data, "Embedding");
            FreshProcess.AssertScoresIdentically<DocumentRow>(ml, frozenModel, data, "Embedding");
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
