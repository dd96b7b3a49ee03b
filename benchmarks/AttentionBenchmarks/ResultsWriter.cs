using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AttentionBenchmarks;

/// <summary>Describes the machine and appends result tables to a markdown file (normally docs/benchmarks.md).</summary>
public static class ResultsWriter
{
    public static IReadOnlyList<(string Key, string Value)> Environment()
    {
        return new List<(string, string)>
        {
            ("Date (UTC)", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
            ("CPU", CpuModel()),
            ("Cores", System.Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ("Memory", MemoryTotal()),
            ("OS", OsName()),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("ML.NET", VersionOf(typeof(Microsoft.ML.MLContext).Assembly)),
            ("TorchSharp", VersionOf(typeof(TorchSharp.torch).Assembly)),
        };
    }

    public static void Append(string path, string commandLine, IReadOnlyList<BenchmarkResult> results)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null)
        {
            Directory.CreateDirectory(directory);
        }
        bool exists = File.Exists(path);
        using var writer = new StreamWriter(path, append: true);
        writer.NewLine = "\n";
        if (!exists)
        {
            writer.WriteLine("# Benchmarks");
            writer.WriteLine();
            writer.WriteLine("Appended by `benchmarks/AttentionBenchmarks` (`--append-docs`). Peak memory is the process's VmHWM after the system ran.");
        }
        writer.WriteLine();
        writer.WriteLine($"## Run of {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        writer.WriteLine();
        writer.WriteLine($"Command: `{commandLine}`");
        writer.WriteLine();
        foreach ((string key, string value) in Environment())
        {
            writer.WriteLine($"- {key}: {value}");
        }
        writer.WriteLine();
        writer.WriteLine(BenchmarkResult.TableHeader);
        foreach (BenchmarkResult result in results)
        {
            writer.WriteLine(result.ToTableRow());
        }
    }

    private static string VersionOf(Assembly assembly)
    {
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational != null)
        {
            int plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString() ?? "unknown";
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line != null ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string MemoryTotal()
    {
        try
        {
            string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line != null)
            {
                long kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return string.Create(CultureInfo.InvariantCulture, $"{kib / (1024.0 * 1024.0):F1} GiB");
            }
        }
        catch (IOException)
        {
        }
        return "unknown";
    }

    private static string OsName()
    {
        try
        {
            string? line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (line != null)
            {
                return line["PRETTY_NAME=".Length..].Trim('"') + " (" + RuntimeInformation.OSDescription + ")";
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.OSDescription;
    }
}
