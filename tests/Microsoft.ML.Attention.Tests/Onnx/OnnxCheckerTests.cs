using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The exported graphs pass the ONNX checker with its full check (strict shape inference), run by Debian's
/// python3-onnx: the reference implementation of the format, independent of ONNX Runtime.
/// </summary>
[TestClass]
public sealed class OnnxCheckerTests
{
    private const string Check = "import sys, onnx\n" +
        "for path in sys.argv[1:]:\n" +
        "    onnx.checker.check_model(onnx.load(path), full_check=True)\n" +
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
            }).ToArray();

            var (status, output) = Python(Interpreter, new[] { "-c", Check }.Concat(paths).ToArray());
            Assert.AreEqual(0, status, output);
            Assert.AreEqual(paths.Length, output.Split('\n').Count(line => line.StartsWith("checked ", StringComparison.Ordinal)), output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
