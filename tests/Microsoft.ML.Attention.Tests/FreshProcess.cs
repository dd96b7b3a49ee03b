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
    /// <param name="rowKind">The checker's name for <typeparamref name="TRow"/>: sequence or document.</param>
    public static void AssertScoresIdentically<TRow>(MLContext ml, ITransformer model, IDataView data, string rowKind, params string[] columns)
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
            var arguments = new List<string> { modelPath, rowsPath, rowKind };
            arguments.AddRange(columns);
            CollectionAssert.AreEqual(expected, Run(arguments));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<string> Run(IEnumerable<string> arguments)
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
