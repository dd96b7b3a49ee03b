using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Infrastructure.Fuzz;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// The project's own fuzz test (issue 33): small valid inputs of each kind, damaged with a fixed seed, are loaded and
/// scored in a child process; each must score finite values or be refused with a clear error, within 10 s and 512 MiB.
/// </summary>
/// <remarks>
/// The benchmark's mutation campaign is this test with more cases: ML_ATTENTION_FUZZ_CASES=800 (cases per kind) and
/// ML_ATTENTION_FUZZ_SEED; it prints a table of outcomes by kind (docs/benchmarks.md), and ML_ATTENTION_FUZZ_LOG names
/// a file that receives every case's mutation and outcome.
/// </remarks>
[TestClass]
public sealed class LoaderFuzzTests
{
    // Enough cases to reach every part of each format, few enough for CI (two checkers side by side on two cores).
    private static readonly int CasesPerKind = Setting("ML_ATTENTION_FUZZ_CASES", 150);

    private static readonly int Seed = Setting("ML_ATTENTION_FUZZ_SEED", 33);

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [TestMethod]
    public void DamagedInputsScoreFiniteValuesOrAreRefusedClearly()
    {
        var scratch = Path.Combine(Path.GetTempPath(), $"loader-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var kinds = FuzzInput.All(scratch).Select((input, k) => (input, Prepare(input, Path.Combine(scratch, input.Kind), Seed + k))).ToList();
            var failures = new List<string>();
            var summary = new List<string> { $"| kind | cases | {string.Join(" | ", Outcomes)} | peak MiB |", "|---|---|" + string.Concat(Outcomes.Select(_ => "---|")) + "---|" };
            Parallel.ForEach(kinds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, kind =>
            {
                var (input, mutations) = kind;
                var (outcomes, peakKb) = FuzzRunner.Run(input.Kind, Path.Combine(scratch, input.Kind), mutations.Count);
                lock (failures)
                {
                    var counts = outcomes.GroupBy(o => o?.Split(' ')[0] ?? "missing").ToDictionary(g => g.Key, g => g.Count());
                    summary.Add($"| {input.Kind} | {mutations.Count} | {string.Join(" | ", Outcomes.Select(o => counts.GetValueOrDefault(o)))} | {peakKb / 1024} |");
                    if (Environment.GetEnvironmentVariable("ML_ATTENTION_FUZZ_LOG") is { Length: > 0 } log)
                        File.AppendAllLines(log, outcomes.Select((o, i) => $"{input.Kind}\t{mutations[i]}\t{o}"));
                    failures.AddRange(outcomes.Select((o, i) => (o, i)).Where(c => !Passes(c.o, c.i))
                        .Select(c => $"{input.Kind} case {c.i} ({mutations[c.i]}): {c.o ?? "no outcome"}"));
                    if (peakKb > FuzzRunner.MemoryLimitKb)
                        failures.Add($"{input.Kind}: the checker's peak resident memory was {peakKb / 1024} MiB");
                }
            });
            Console.WriteLine(string.Join(Environment.NewLine, summary));
            Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // The checker's outcome lines (FuzzCases) and the runner's (FuzzRunner), in the order of the printed table.
    private static readonly string[] Outcomes = { "ok", "refused", "nonfinite", "unclear", "hang", "memory", "crash", "missing" };

    // Case 0 is the untouched input, which must load and score; a damaged one may also be refused with a clear error.
    private static bool Passes(string? outcome, int index)
        => outcome != null && (outcome.StartsWith("ok ", StringComparison.Ordinal) || index > 0 && outcome.StartsWith("refused ", StringComparison.Ordinal));

    // Writes the rows and the cases of one kind; returns each case's mutation.
    private static List<string> Prepare(FuzzInput input, string folder, int seed)
    {
        Directory.CreateDirectory(folder);
        using (var rows = File.Create(Path.Combine(folder, "rows.idv")))
            new MLContext(seed: 1).Data.SaveAsBinary(input.Rows, rows);
        var mutator = new Mutator(seed);
        var targets = input.Targets;
        var mutations = new List<string> { "none" };
        input.Write(folder, 0, input.Files);
        for (int i = 1; i <= CasesPerKind; i++)
        {
            var (files, mutation) = mutator.Mutate(input.Files, targets);
            input.Write(folder, i, files);
            mutations.Add(mutation);
        }
        return mutations;
    }
}
