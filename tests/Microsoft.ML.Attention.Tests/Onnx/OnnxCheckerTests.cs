using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The exported graphs (attention pooling's combinations, the HAN's, the featurizer's, a fine-tuned pretrained encoder's) pass the ONNX checker with its full check (strict shape inference), run by Debian's
/// python3-onnx: the reference implementation of the format, independent of ONNX Runtime.
/// </summary>
[TestClass]
public sealed class OnnxCheckerTests
{
    // ML.NET's converter adds a side output with the slot names of a column that has them (the multiclass HAN's Score:
    // the class names), declared [-1, 1] over a constant [1, 1], which the strict check rejects whatever the pipeline
    // holds; those outputs are ML.NET's own, so they are left out of the check.
    private const string Check = "import sys, onnx\n" +
        "for path in sys.argv[1:]:\n" +
        "    model = onnx.load(path)\n" +
        "    graph = model.graph\n" +
        "    side = [o for o in graph.output if o.name.startswith('mlnet.') and o.name.endswith('.unusedOutput')]\n" +
        "    for output in side:\n" +
        "        graph.output.remove(output)\n" +
        "    for node in [n for n in graph.node if set(n.output) & {o.name for o in side}]:\n" +
        "        graph.node.remove(node)\n" +
        "    onnx.checker.check_model(model, full_check=True)\n" +
        "    print('checked', path)\n";

    // Debian's python3-onnx installs for Debian's interpreter, which another python3 on PATH (pyenv) may hide.
    private static readonly string? Interpreter = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(CanImportOnnx);

    [TestMethod]
    public void EveryExportedCombinationPassesTheOnnxChecker()
    {
        if (Interpreter == null)
            Assert.Inconclusive("Debian's python3-onnx is not installed (apt-get install python3-onnx): the ONNX checker cannot run.");
        var folder = Directory.CreateTempSubdirectory("onnx-check-").FullName;
        try
        {
            var ml = new MLContext(seed: 3);
            var paths = PoolingExportTests.Combinations.Keys.Select((combination, i) =>
            {
                var options = PoolingExportTests.Options(combination);
                var rows = PoolingExportTests.Rows(32, seed: 7, withNonFinite: false);
                var data = ml.Data.LoadFromEnumerable(rows);
                var model = PoolingExportTests.Pipeline(ml, options).Fit(data);
                var path = Path.Combine(folder, $"pooling-{i}.onnx");
                using (var file = File.Create(path))
                    ml.Model.ConvertToOnnx(model, data, file);
                (model as IDisposable)?.Dispose();
                return path;
            }).Concat(HanExportTests.Combinations.Keys.Select((combination, i) =>
            {
                // The HAN's graphs: GRU and LSTM, multiclass (with MapValueToKey and MapKeyToValue) and binary.
                var data = ml.Data.LoadFromEnumerable(HanExportTests.Documents(24, seed: 2));
                var model = HanExportTests.Pipeline(ml, combination, epochs: 1).Fit(data);
                var path = Path.Combine(folder, $"han-{i}.onnx");
                using (var file = File.Create(path))
                    ml.Model.ConvertToOnnx(model, data, file);
                (model as IDisposable)?.Dispose();
                return path;
            })).Concat(FeaturizerExportTests.Combinations.Keys.Select((combination, i) =>
            {
                // The featurizer's graphs: both variants, every pooling, local attention, both long-text rules.
                var data = ml.Data.LoadFromEnumerable(TextFeaturization.OrderTask.Generate(24, seed: 2));
                using var featurizer = FeaturizerExportTests.Fit(ml, combination, epochs: 1, data);
                var path = Path.Combine(folder, $"featurizer-{i}.onnx");
                using (var file = File.Create(path))
                    ml.Model.ConvertToOnnx(featurizer, data, file);
                return path;
            })).Append(PretrainedGraph(ml, folder)).ToArray();

            var (status, output) = Python(Interpreter, new[] { "-c", Check }.Concat(paths).ToArray());
            Assert.AreEqual(0, status, output);
            Assert.AreEqual(paths.Length, output.Split('\n').Count(line => line.StartsWith("checked ", StringComparison.Ordinal)), output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // The pretrained encoder's graph: a fine-tuned BERT with attention pooling, normalized, with token weights (every
    // node kind it writes but first-token and max pooling, which are single standard nodes).
    private static string PretrainedGraph(MLContext ml, string folder)
    {
        var bert = RandomBert.Write(Path.Combine(folder, "bert"));
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 3));
        var options = PretrainedExportTests.Options("BERT, fine-tuned, Attention, normalized", bert);
        options.TokenWeightsColumnName = "TokenWeights";
        var model = PretrainedExportTests.EncoderPipeline(ml, options).Fit(data);
        var path = Path.Combine(folder, "pretrained.onnx");
        using (var file = File.Create(path))
            ml.Model.ConvertToOnnx(model, data, file);
        (model as IDisposable)?.Dispose();
        return path;
    }

    private static bool CanImportOnnx(string interpreter)
    {
        try
        {
            return Python(interpreter, "-c", "import onnx").Status == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;   // no such interpreter
        }
    }

    private static (int Status, string Output) Python(string interpreter, params string[] arguments)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
