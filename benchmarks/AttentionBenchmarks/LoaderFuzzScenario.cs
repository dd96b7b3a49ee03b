using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 33's mutation campaign: the loader fuzz test of the test project (LoaderFuzzTests, whose inputs are the tests'
/// tiny models and whose checker is tests/Microsoft.ML.Attention.LoadCheck) with <c>--cases N</c> damaged inputs of each
/// of every kind (default 800: 7,200 over the nine kinds, and the untouched inputs) and <c>--seeds</c> (default 33), in Release.
/// Prints the table of outcomes by kind; every case's mutation and outcome go to loader-fuzz-SEED.log in --data.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario loader-fuzz [--cases 800] [--seeds 33,34]
/// </summary>
public static class LoaderFuzzScenario
{
    public static int Cases { get; set; } = 800;

    public static int Run(string repository, string dataDirectory, int[] seeds, TextWriter log)
    {
        Directory.CreateDirectory(dataDirectory);
        int status = 0;
        foreach (var seed in seeds)
        {
            var outcomes = Path.Combine(dataDirectory, $"loader-fuzz-{seed}.log");
            File.Delete(outcomes);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, WorkingDirectory = repository };
            foreach (var argument in new[] { "test", "tests/Microsoft.ML.Attention.Tests", "-c", "Release", "--filter", "FullyQualifiedName~LoaderFuzzTests", "--logger", "console;verbosity=detailed" })
                start.ArgumentList.Add(argument);
            start.Environment["ML_ATTENTION_FUZZ_CASES"] = Cases.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["ML_ATTENTION_FUZZ_SEED"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["ML_ATTENTION_FUZZ_LOG"] = outcomes;
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var lines = process.StandardOutput.ReadToEnd().Split('\n').Select(l => l.Trim()).ToList();
            process.WaitForExit();
            log.WriteLine($"## loader-fuzz: seed {seed}, {Cases} damaged inputs of each kind, {clock.Elapsed.TotalSeconds:F0} s, test {(process.ExitCode == 0 ? "passed" : "FAILED")}");
            foreach (var line in lines.Where(l => l.StartsWith('|')))
                log.WriteLine(line);
            foreach (var line in lines.Where(l => l.Contains(" case ", StringComparison.Ordinal) && (l.Contains(": unclear", StringComparison.Ordinal) || l.Contains(": hang", StringComparison.Ordinal) || l.Contains(": memory", StringComparison.Ordinal) || l.Contains(": crash", StringComparison.Ordinal) || l.Contains(": nonfinite", StringComparison.Ordinal))).Take(20))
                log.WriteLine("  " + line);
            log.WriteLine($"Outcomes of every case: {outcomes}");
            status |= process.ExitCode;
        }
        return status == 0 ? 0 : 1;
    }
}
