using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pooling;

[TestClass]
public sealed class FreshProcessLoadTests
{
    private sealed class Scores
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8");

    [TestMethod]
    public void ModelSavedHereLoadsInAnotherProcessWithoutRegistrationAndScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(60, vectorSize: 4, seed: 77);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", WeightsColumnName = "Weights",
                LabelColumnName = "Label", VectorSize = 4, NumberOfEpochs = 3, NumberOfHeads = 2, OutputSize = 3,
            }))
            .Append(ml.Transforms.CopyColumns("Features", "Pooled"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));
        var model = pipeline.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"fresh-process-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, path);
        try
        {
            var expected = new List<string>();
            var scored = model.Transform(data);
            foreach (var name in new[] { "Pooled", "Weights", "Score" })
                expected.AddRange(ColumnAssert.Vectors(scored, name).Select((v, i) => $"transform {name} {i}: " + string.Join(" ", v.Select(Bits))));
            var engine = ml.Model.CreatePredictionEngine<SequenceRow, Scores>(model);
            expected.AddRange(rows.Select((r, i) => $"engine Score {i}: " + string.Join(" ", engine.Predict(r).Score.Select(Bits))));

            var actual = RunLoadCheck(path, "60", "4", "77", "Pooled", "Weights", "Score");
            CollectionAssert.AreEqual(expected, actual);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<string> RunLoadCheck(params string[] arguments)
    {
        // The checker is built beside this test project: .../tests/<project>/bin/<configuration>/<framework>/.
        var checker = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory.Replace("Microsoft.ML.Attention.Tests", "Microsoft.ML.Attention.LoadCheck"),
            "Microsoft.ML.Attention.LoadCheck.dll"));
        Assert.IsTrue(File.Exists(checker), $"the load checker was not built at {checker}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(checker);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) != null)
            lines.Add(line);
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"the load checker failed: {errors.Result}");
        return lines;
    }
}
