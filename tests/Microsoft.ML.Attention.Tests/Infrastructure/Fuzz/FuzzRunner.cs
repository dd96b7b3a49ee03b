using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace Microsoft.ML.Attention.Tests.Infrastructure.Fuzz;

/// <summary>
/// Runs a folder of fuzz cases in the load checker (FuzzCases, in tests/Microsoft.ML.Attention.LoadCheck) under a
/// resident-memory limit and a per-case time limit; a child killed or crashed in a case is restarted after it.
/// </summary>
internal static class FuzzRunner
{
    public const long MemoryLimitKb = 512 * 1024;

    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    // Starting .NET, ML.NET and libtorch comes before the first case and is not a case's time.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Each case's outcome line (ok, nonfinite, refused, unclear, hang, memory or crash), and the peak resident memory seen.</summary>
    public static (string[] Outcomes, long PeakKb) Run(string kind, string folder, int caseCount)
    {
        var outcomes = new string[caseCount];
        long peak = 0;
        for (int first = 0; first < caseCount;)
        {
            var (next, childPeak) = RunChild(kind, folder, first, outcomes);
            peak = Math.Max(peak, childPeak);
            first = next;
        }
        return (outcomes, peak);
    }

    // Runs one child from case 'first'; returns the case to restart from (caseCount when all are done) and its peak.
    private static (int Next, long PeakKb) RunChild(string kind, string folder, int first, string[] outcomes)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(FreshProcess.CheckerPath());
        foreach (var argument in new[] { "fuzz", kind, folder, first.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        // The managed heap's own limit makes a huge managed request fail at once; the watchdog below covers libtorch's.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        using var process = Process.Start(start)!;
        var lines = new BlockingCollection<string?>();
        var errors = process.StandardError.ReadToEndAsync();
        var reader = new Thread(() =>
        {
            for (var line = process.StandardOutput.ReadLine(); line != null; line = process.StandardOutput.ReadLine())
                lines.Add(line);
            lines.Add(null);
        }) { IsBackground = true };
        reader.Start();

        int current = -1;
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(50)))
            {
                if (line == null)
                    break;
                var parts = line.Split(' ', 3);
                if (parts[0] == "vmhwm")
                    peak = Math.Max(peak, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                else if (parts[0] == "start")
                {
                    current = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                    clock.Restart();
                }
                else
                {
                    outcomes[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] = line;
                    current = -1;
                }
                continue;
            }
            var resident = ResidentKb(process.Id);
            peak = Math.Max(peak, resident);
            string? killed = resident > MemoryLimitKb ? $"memory {current} {resident / 1024} MiB resident"
                : clock.Elapsed > (current < 0 ? StartupTimeout : CaseTimeout) ? $"hang {current} no answer after {clock.Elapsed.TotalSeconds:F0} s" : null;
            if (killed != null)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                if (current < 0)
                    throw new InvalidOperationException($"The fuzz checker for {kind} was killed between cases: {killed}; {errors.Result}");
                outcomes[current] = killed;
                return (current + 1, peak);
            }
        }
        process.WaitForExit();
        if (current >= 0)
        {
            outcomes[current] = $"crash {current} exit code {process.ExitCode}: {errors.Result.ReplaceLineEndings(" ")[..Math.Min(500, errors.Result.Length)]}";
            return (current + 1, peak);
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The fuzz checker for {kind} failed outside a case: {errors.Result}");
        return (outcomes.Length, peak);
    }

    private static long ResidentKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line == null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // the child has just exited
        }
    }
}
