using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AttentionBenchmarks;

/// <summary>A system under benchmark. Add one by implementing this and registering it in <see cref="Program.Systems"/>.</summary>
public interface IBenchmarkSystem
{
    /// <summary>Short name used with <c>--only</c> and in the result table.</summary>
    string Name { get; }

    /// <summary>Trains on <see cref="Corpus.Train"/>, scores <see cref="Corpus.Test"/>, and reports measurements.</summary>
    BenchmarkResult Run(Corpus corpus, TextWriter log);
}

/// <summary>Measurements of one system on one corpus.</summary>
public sealed record BenchmarkResult(
    string System,
    string Corpus,
    int TrainDocuments,
    int TestDocuments,
    double Accuracy,
    double MacroAccuracy,
    double TrainSeconds,
    double ScoreSeconds,
    double? SingleRowDocsPerSecond,
    long PeakMemoryBytes,
    string Notes = "",
    int Epochs = 1)
{
    /// <summary>Training documents processed per second of Fit: documents x epochs / seconds (tokenization included).</summary>
    public double TrainDocsPerSecond => TrainDocuments * (double)Epochs / TrainSeconds;
    public double ScoreDocsPerSecond => TestDocuments / ScoreSeconds;

    public const string TableHeader =
        "| System | Corpus | Train/Test docs | Accuracy | Macro acc. | Train s | Train docs/s | Scoring docs/s (batch) | Scoring docs/s (single row) | Peak memory (MiB) | Notes |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|";

    public string ToTableRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {System} | {Corpus} | {TrainDocuments}/{TestDocuments} | {Accuracy * 100:F1}% | {MacroAccuracy * 100:F1}% | {TrainSeconds:F1} | {TrainDocsPerSecond:F0} | {ScoreDocsPerSecond:F0} | {(SingleRowDocsPerSecond is double s ? s.ToString("F0", CultureInfo.InvariantCulture) : "–")} | {PeakMemoryBytes / (1024.0 * 1024.0):F0} | {Notes} |");
}

/// <summary>Shared measurement helpers.</summary>
public static class Measure
{
    /// <summary>Micro accuracy and macro accuracy (mean per-class recall over the classes present in the gold labels, as ML.NET defines it).</summary>
    public static (double Accuracy, double MacroAccuracy) Accuracy(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count || gold.Count == 0)
        {
            throw new ArgumentException("Gold and predicted labels must be non-empty and of equal length.");
        }
        int correct = 0;
        var perClass = new Dictionary<string, (int Correct, int Total)>(StringComparer.Ordinal);
        for (int i = 0; i < gold.Count; i++)
        {
            bool hit = string.Equals(gold[i], predicted[i], StringComparison.Ordinal);
            correct += hit ? 1 : 0;
            (int c, int t) = perClass.GetValueOrDefault(gold[i]);
            perClass[gold[i]] = (c + (hit ? 1 : 0), t + 1);
        }
        return ((double)correct / gold.Count, perClass.Values.Average(v => (double)v.Correct / v.Total));
    }

    /// <summary>Peak resident set size of this process (VmHWM from /proc/self/status; falls back to PeakWorkingSet64).</summary>
    public static long PeakMemoryBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        using Process self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>This process's resident set size now (what a peak started from).</summary>
    public static long CurrentMemoryBytes()
    {
        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>
    /// Resets this process's peak resident set size (VmHWM) to the current one, so that the fit and the scoring of one
    /// system each get their own peak. Linux only (writing 5 to /proc/self/clear_refs); false when that is refused.
    /// </summary>
    public static bool ResetPeakMemory()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static double Seconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
