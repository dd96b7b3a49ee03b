using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The deployment of samples/OnnxDeployment, end to end on a small network: the sample's pipeline (TicketPipeline) is
/// fitted and exported here, and its Scoring program, built without ML.NET or TorchSharp, scores the export in a
/// process of its own. From inside that process it finds no TorchSharp assembly and no libtorch mapped, and the same
/// predicted labels and scores (1e-4, max abs) as <c>Transform</c>.
/// </summary>
[TestClass]
public sealed class DeploymentSampleTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    [TestMethod]
    public void TheScoringProgramPredictsAsTransformWithoutTorchSharp()
    {
        var scoring = ScoringProgram();
        var shipped = Directory.EnumerateFiles(Path.GetDirectoryName(scoring)!, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.IsFalse(shipped.Any(f => f!.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase) || f.Contains("libtorch", StringComparison.OrdinalIgnoreCase)
            || f.StartsWith("Microsoft.ML.dll", StringComparison.Ordinal)), $"the scoring program's output holds no TorchSharp, libtorch or ML.NET: {string.Join(", ", shipped)}");

        var ml = new MLContext(seed: 4);
        var options = HanTestSettings.Small(epochs: 4);
        options.MaximumSentences = 4;
        options.MaximumWordsPerSentence = 9;
        var model = TicketPipeline.Create(ml, options).Fit(ml.Data.LoadFromEnumerable(Rows(SyntheticDocuments.Generate(96, seed: 2).Select(d => (d.Text, d.Label)))));
        var texts = SyntheticDocuments.Generate(20, seed: 9).Select(d => (d.Text, d.Label))
            .Concat(HanExportTests.SpecialDocuments().Select(d => (d.Text, d.Label))).ToList();
        var test = ml.Data.LoadFromEnumerable(Rows(texts));
        var scored = model.Transform(test);
        var labels = scored.GetColumn<string>("PredictedCategory").ToArray();
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "the network predicts more than one class, so labels are a real check");

        var folder = new DeploymentFolder(Directory.CreateTempSubdirectory("onnx-deployment-").FullName);
        try
        {
            using (var stream = File.Create(folder.Onnx))
                ml.Model.ConvertToOnnx(model, test, stream);
            using (var stream = File.Create(folder.Tokenizer))
                model.OfType<HierarchicalAttentionTransformer>().Single().GetTokenizer().Save(stream);
            folder.WriteExpected(new ExpectedPredictions("PredictedCategory.output", texts.Select(t => t.Text).ToArray(), labels,
                scored.GetColumn<float[]>("Score").ToArray(), TrainingApplicationFolder: "(the test host)", TrainingApplicationBytes: 0));
            model.Dispose();

            var start = new ProcessStartInfo("dotnet");
            start.ArgumentList.Add(scoring);
            start.ArgumentList.Add(folder.Path);
            var (exitCode, lines) = FreshProcess.RunWithTimeout(start, FreshProcess.Timeout, out var errors);
            var output = string.Join("\n", lines) + "\n" + errors;
            CollectionAssert.Contains(lines, "TorchSharp assembly loaded: False; libtorch mapped: False", output);
            CollectionAssert.Contains(lines, $"Same predicted label as Transform: {texts.Count} of {texts.Count} documents", output);
            var difference = lines.Single(l => l.StartsWith("Largest score difference from Transform: ", StringComparison.Ordinal));
            Assert.IsLessThanOrEqualTo(ExportAssert.Tolerance, double.Parse(difference.Split(' ')[5], System.Globalization.CultureInfo.InvariantCulture), output);
            Assert.AreEqual(0, exitCode, output);
        }
        finally
        {
            Directory.Delete(folder.Path, recursive: true);
        }
    }

    private static Row[] Rows(System.Collections.Generic.IEnumerable<(string Text, string Label)> rows)
        => rows.Select(r => new Row { Text = r.Text, Label = r.Label }).ToArray();

    // The Scoring program, built beside this test project (its ProjectReference): samples/OnnxDeployment/Scoring/bin/...
    // in the default build, artifacts/mlnet-<version>/bin/OnnxDeployment.Scoring/... in CI's second leg.
    private static string ScoringProgram()
    {
        var here = AppContext.BaseDirectory;
        var candidates = new[]
        {
            here.Replace(Path.Combine("tests", "Microsoft.ML.Attention.Tests"), Path.Combine("samples", "OnnxDeployment", "Scoring"), StringComparison.Ordinal),
            here.Replace(Path.Combine("bin", "Microsoft.ML.Attention.Tests"), Path.Combine("bin", "OnnxDeployment.Scoring"), StringComparison.Ordinal),
        }.Select(folder => Path.Combine(folder, "OnnxDeployment.Scoring.dll"));
        var program = candidates.FirstOrDefault(File.Exists);
        Assert.IsNotNull(program, $"the scoring program was not built at {string.Join(" or ", candidates)}");
        return program;
    }
}
