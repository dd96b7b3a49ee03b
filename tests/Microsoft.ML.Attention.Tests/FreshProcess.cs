using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Saves a model and its input rows, loads the model in a separate process the way an application does
/// (tests/Microsoft.ML.Attention.LoadCheck), and checks that it scores the rows bit for bit as here.
/// </summary>
public static class FreshProcess
{
    // Loading and scoring a small model takes a few seconds; a checker that hangs fails the test instead of stalling CI.
    internal static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <typeparam name="TRow">The rows' class, one the checker knows (see ScoreDump's row kinds).</typeparam>
    public static void AssertScoresIdentically<TRow>(MLContext ml, ITransformer model, IDataView data, params string[] columns)
        where TRow : class, new()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"fresh-process-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var modelPath = Path.Combine(folder, "model.zip");
            var rowsPath = Path.Combine(folder, "rows.idv");
            ml.Model.Save(model, data.Schema, modelPath);
            using (var stream = File.Create(rowsPath))
                ml.Data.SaveAsBinary(data, stream);
            var expected = ScoreDump.Lines<TRow>(ml, model, data, columns);
            var arguments = new List<string> { modelPath, rowsPath, ScoreDump.RowKind<TRow>() };
            arguments.AddRange(columns);
            CollectionAssert.AreEqual(expected, Run(arguments), $"scored with {TorchSharp.torch.get_num_threads()} libtorch threads on both sides");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static List<string> Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(CheckerPath());
        // The checker scores with this process's libtorch thread count: matrix products may round differently with
        // another count, and earlier tests (or concurrent scoring) may have left this process at a different one.
        start.Environment["ML_ATTENTION_CHECK_THREADS"] = TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var (exitCode, lines) = RunWithTimeout(start, Timeout, out var errors);
        Assert.AreEqual(0, exitCode, $"the load checker failed: {errors}");
        return lines;
    }

    /// <summary>The load checker's assembly, to run with dotnet.</summary>
    internal static string CheckerPath()
    {
        // The checker is built beside this test project: .../tests/<project>/bin/<configuration>/<framework>/.
        var checker = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory.Replace("Microsoft.ML.Attention.Tests", "Microsoft.ML.Attention.LoadCheck"),
            "Microsoft.ML.Attention.LoadCheck.dll"));
        Assert.IsTrue(File.Exists(checker), $"the load checker was not built at {checker}");
        return checker;
    }

    /// <summary>
    /// Runs a process to its end or until <paramref name="timeout"/> has passed, then kills it (and its children) and
    /// fails. Returns its exit code and output lines.
    /// </summary>
    internal static (int ExitCode, List<string> Lines) RunWithTimeout(ProcessStartInfo start, TimeSpan timeout, out string errors)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var errorText = process.StandardError.ReadToEndAsync();
        var outputText = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new AssertFailedException($"'{start.FileName} {string.Join(" ", start.ArgumentList)}' did not finish within {timeout.TotalSeconds} s and was killed.");
        }
        process.WaitForExit(); // lets the redirected streams finish
        errors = errorText.Result;
        var lines = new List<string>();
        using var reader = new StringReader(outputText.Result);
        for (var line = reader.ReadLine(); line != null; line = reader.ReadLine())
            lines.Add(line);
        return (process.ExitCode, lines);
    }
}
