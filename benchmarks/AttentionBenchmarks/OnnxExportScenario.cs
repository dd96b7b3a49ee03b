using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 35 (train here, deploy anywhere): the HAN with the defaults (MapValueToKey → HAN → MapKeyToValue) fitted on the
/// first <c>--train N</c> training documents (default 4000), exported with ML.NET's <c>ConvertToOnnx</c>; every test
/// document scored by our <c>Transform</c> and by ONNX Runtime from <see cref="HanTokenizer"/>'s ids: identical
/// predicted labels, the largest score difference, and docs/s of each in this one run (Transform: best of 3 passes over
/// a new view; ONNX Runtime: tokenizing and running, the texts in order of length, best batch size of 16, 64 and 256,
/// best of 2 passes each, all cores, full graph optimization). Then the published size (dotnet publish -c Release -r
/// linux-x64, framework-dependent; sum of file sizes) of samples/OnnxDeployment's training and scoring programs.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus bible --scenario onnx-export [--train 4000]
/// </summary>
public static class OnnxExportScenario
{
    private static readonly int[] BatchSizes = { 16, 64, 256 };

    public static int Run(Corpus corpus, TextWriter log, int trainCount, string repositoryRoot)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => TextRow.From(d)));
        var clock = Stopwatch.StartNew();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention("Label", "Text"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"onnx-export on {corpus.Name}: fitted on {Math.Min(trainCount, corpus.Train.Count)} documents in {clock.Elapsed.TotalSeconds:F0} s"));
        var test = corpus.Test.Select(d => TextRow.From(d)).ToList();

        string[] labels = Array.Empty<string>();
        float[][] scores = Array.Empty<float[]>();
        double transformSeconds = double.PositiveInfinity;
        for (int round = 1; round <= 3; round++)
        {
            var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
            clock.Restart();
            labels = scored.GetColumn<string>("PredictedLabel").ToArray();
            scores = scored.GetColumn<float[]>("Score").ToArray();
            transformSeconds = Math.Min(transformSeconds, clock.Elapsed.TotalSeconds);
        }

        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(model, train, stream);
            onnx = stream.ToArray();
        }
        var tokenizer = model.OfType<HierarchicalAttentionTransformer>().Single().GetTokenizer();
        (model as IDisposable)?.Dispose();

        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(onnx, options);
        var order = Enumerable.Range(0, test.Count).OrderBy(i => test[i].Text.Length).ToArray();
        var onnxLabels = new string[test.Count];
        var onnxScores = new float[test.Count][];
        (int Batch, double Seconds) best = (0, double.PositiveInfinity);
        Score(session, tokenizer, test, order, 64, onnxLabels, onnxScores);   // warm-up
        foreach (int batch in BatchSizes)
            for (int round = 1; round <= 2; round++)
            {
                clock.Restart();
                Score(session, tokenizer, test, order, batch, onnxLabels, onnxScores);
                double seconds = clock.Elapsed.TotalSeconds;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ONNX Runtime, batches of {batch}, round {round}: {test.Count / seconds:F0} docs/s"));
                if (seconds < best.Seconds)
                    best = (batch, seconds);
            }

        int same = Enumerable.Range(0, test.Count).Count(i => labels[i] == onnxLabels[i]);
        double maxDifference = Enumerable.Range(0, test.Count).Max(i => scores[i].Zip(onnxScores[i], (a, b) => (double)Math.Abs(a - b)).Max());
        log.WriteLine("| Corpus | Test documents | Same predicted label | Largest score difference | Transform (TorchSharp) docs/s | ONNX Runtime docs/s (tokenize + run) | ONNX file |");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {corpus.Name} | {test.Count} | {same} | {maxDifference:G2} | {test.Count / transformSeconds:F0} | {test.Count / best.Seconds:F0} (batches of {best.Batch}) | {onnx.Length / 1e6:F1} MB |"));

        foreach (var project in new[] { "samples/OnnxDeployment/Training", "samples/OnnxDeployment/Scoring" })
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| published size of {project} (linux-x64, framework-dependent) | {PublishedMegabytes(repositoryRoot, project, log):F1} MB |"));
        return same == test.Count ? 0 : 1;
    }

    // Scores the test documents in the given order, a batch at a time: tokenize, run, read the outputs back into place.
    private static void Score(InferenceSession session, HanTokenizer tokenizer, List<TextRow> test, int[] order, int batchSize, string[] labels, float[][] scores)
    {
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var rows = order.Skip(start).Take(batchSize).ToArray();
            var texts = rows.Select(i => test[i].Text).ToArray();
            var ids = tokenizer.TokenIds(texts, out int sentences);
            var shape = new[] { texts.Length, 1 };
            var feeds = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("TextTokenIds", new DenseTensor<long>(ids, new[] { texts.Length, sentences * tokenizer.MaximumWordsPerSentence })),
                NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(texts, shape)),
                NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(Enumerable.Repeat("", texts.Length).ToArray(), shape)),
            };
            using var results = session.Run(feeds, new[] { "PredictedLabel.output", "Score.output" });
            var predicted = results.First(r => r.Name == "PredictedLabel.output").AsTensor<string>();
            var score = results.First(r => r.Name == "Score.output").AsTensor<float>();
            int classes = score.Dimensions[1];
            for (int k = 0; k < rows.Length; k++)
            {
                labels[rows[k]] = predicted[k, 0];
                scores[rows[k]] = Enumerable.Range(0, classes).Select(c => score[k, c]).ToArray();
            }
        }
    }

    // dotnet publish of a sample into a fresh folder, then the sum of the sizes of the files there.
    private static double PublishedMegabytes(string repositoryRoot, string project, TextWriter log)
    {
        var output = Directory.CreateTempSubdirectory("onnx-export-publish-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", output })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"dotnet publish {project} failed:\n{text}\n{errors.Result}");
            long bytes = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            var libtorch = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Any(f => f.Name.Contains("torch", StringComparison.OrdinalIgnoreCase));
            log.WriteLine($"  {project}: {Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Count()} files, TorchSharp or libtorch among them: {libtorch}");
            return bytes / 1e6;
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
