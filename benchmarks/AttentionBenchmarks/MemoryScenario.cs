using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 15, point 2: resident memory under repeated scoring. Trains a model on <c>train</c> documents, then runs
/// <c>passes</c> passes, each a batched Transform over <c>score</c> documents (fully read) plus <c>calls</c> PredictionEngine
/// calls, and prints the resident set after a full garbage collection at the end of each pass. Reports the growth between
/// pass 10 and the last pass (target: under 32 MiB over 40 passes).
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario memory-han|memory-featurizer
///       [--passes 40] [--train 1500] [--score 1000] [--calls 250] [--malloc library|none|arenas|arenas+trim]
/// --malloc: library (the library's defaults: malloc_trim after scoring batches), none (no trim), arenas (the opt-in
/// arena cap alone), arenas+trim (both). Set MALLOC_ARENA_MAX in the environment (with --malloc none) to measure that.
/// </summary>
public static class MemoryScenario
{
    public static int Run(Corpus corpus, TextWriter log, string component, int passes, int trainCount, int scoreCount, int calls)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => new Row { Label = d.Label, Text = d.Text }));
        var scoreDocuments = corpus.Test.Take(scoreCount).Select(d => new Row { Label = d.Label, Text = d.Text }).ToList();
        var score = ml.Data.LoadFromEnumerable(scoreDocuments);
        log.WriteLine($"{component}: train {trainCount}, {passes} passes of Transform over {scoreDocuments.Count} documents + {calls} PredictionEngine calls; " +
            $"MALLOC_ARENA_MAX={Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "(unset)"}, switches: {Switches()}");

        IEstimator<ITransformer> pipeline = component switch
        {
            "memory-han" => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { LabelColumnName = "Label", TextColumnName = "Text" })),
            "memory-featurizer" => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options
                {
                    InputColumnName = "Text", OutputColumnName = "Features", LabelColumnName = "Label",
                })),
            _ => throw new ArgumentException($"Unknown memory scenario {component}"),
        };
        var model = pipeline.Fit(train);
        string output = component == "memory-han" ? "Score" : "Features";

        using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: null,
            outputSchemaDefinition: Microsoft.ML.Data.SchemaDefinition.Create(typeof(Prediction)).Also(d => d[0].ColumnName = output));
        var rss = new List<double>();
        for (int pass = 1; pass <= passes; pass++)
        {
            var scored = model.Transform(score);
            var column = scored.Schema[output];
            using (var cursor = scored.GetRowCursor(new[] { column }))
            {
                var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(column);
                var buffer = default(Microsoft.ML.Data.VBuffer<float>);
                while (cursor.MoveNext())
                    getter(ref buffer);
            }
            for (int i = 0; i < calls; i++)
                engine.Predict(scoreDocuments[i % scoreDocuments.Count]);
            rss.Add(ResidentMiB());
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pass {pass}: {rss[^1]:F0} MiB"));
        }
        int from = Math.Min(10, Math.Max(1, passes / 4));
        double growth = rss[^1] - rss[from - 1];
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {component} | {Switches()} | pass 1 {rss[0]:F0} MiB | pass {from} {rss[from - 1]:F0} MiB | pass {passes} {rss[^1]:F0} MiB | max {rss.Max():F0} MiB | growth {from}→{passes}: {growth:+0;-0} MiB (target < 32) |"));
        (model as IDisposable)?.Dispose();
        return growth < 32 ? 0 : 1;
    }

    private static string Switches()
        => $"TrimMallocAfterScoring={Switch(Trim, true)}, LimitMallocArenas={Switch(Limit, false)}";

    private static bool Switch(string name, bool byDefault) => AppContext.TryGetSwitch(name, out var on) ? on : byDefault;

    /// <summary>VmRSS after a full, compacting, blocking collection and finalizers: what the process keeps.</summary>
    private static double ResidentMiB()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }

    /// <summary>Sets the library's malloc switches; must run before any type of the library is touched.</summary>
    public static void ApplyMallocSetting(string setting)
    {
        switch (setting)
        {
            case "library": break; // the library's defaults: trim after scoring batches, arenas as glibc has them
            case "none": AppContext.SetSwitch(Trim, false); break;
            case "arenas":
                AppContext.SetSwitch(Trim, false);
                AppContext.SetSwitch(Limit, true);
                break;
            case "arenas+trim": AppContext.SetSwitch(Limit, true); break;
            default: throw new ArgumentException($"--malloc takes library, none, arenas or arenas+trim, not {setting}");
        }
    }

    private const string Trim = "Microsoft.ML.Attention.TrimMallocAfterScoring";
    private const string Limit = "Microsoft.ML.Attention.LimitMallocArenas";

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float[] Output { get; set; } = Array.Empty<float>();
    }
}

internal static class ObjectExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
