using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 20, point 4: does a fine-tuned encoder score as fast as the frozen one? Both are the same network, so they
/// should. In one process: the frozen featurizer (no label) and the featurizer fine-tuned for one epoch on the first
/// <c>train</c> training documents (the library's defaults, as <see cref="MiniLmFeaturizer"/>), then the fine-tuned
/// one saved and loaded again; each encodes the same first <c>score</c> test documents, in turn, three rounds (the
/// best round counts, so that neither pays for the other's warm-up). Prints docs/s of each and the ratios.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --scenario finetuned-speed [--train 1000] [--score 1000]
/// </summary>
public static class FineTunedSpeedScenario
{
    public static int Run(Corpus corpus, TextWriter log, int trainCount, int scoreCount)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => new Row { Label = d.Label, Text = d.Text }));
        var documents = corpus.Test.Take(scoreCount).Select(d => new Row { Label = d.Label, Text = d.Text }).ToList();
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var keyed = keys.Transform(train);

        var clock = Stopwatch.StartNew();
        var frozen = ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options(label: null, epochs: 1)).Fit(keyed);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finetuned-speed: frozen fitted in {clock.Elapsed.TotalSeconds:F1} s"));
        clock.Restart();
        var fineTuned = ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options(label: "Label", epochs: 1)).Fit(keyed);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finetuned-speed: fine-tuned on {trainCount} documents in {clock.Elapsed.TotalSeconds:F1} s"));
        string path = Path.Combine(Path.GetTempPath(), $"finetuned-speed-{Environment.ProcessId}.zip");
        ml.Model.Save(fineTuned, train.Schema, path);
        var reloaded = ml.Model.Load(path, out _);
        File.Delete(path);

        var systems = new (string Name, ITransformer Model)[] { ("frozen", frozen), ("fine-tuned", fineTuned), ("fine-tuned, saved and loaded", reloaded) };
        var best = systems.ToDictionary(s => s.Name, _ => double.PositiveInfinity);
        for (int round = 1; round <= 3; round++)
        {
            foreach (var (name, model) in systems)
            {
                // A new view each time: the transformer's output cache serves only a view it has read before.
                double seconds = EncodingSeconds(model.Transform(ml.Data.LoadFromEnumerable(documents)));
                best[name] = Math.Min(best[name], seconds);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}, {name}: {documents.Count / seconds:F1} docs/s"));
            }
        }
        double frozenRate = documents.Count / best["frozen"];
        foreach (var (name, _) in systems)
        {
            double rate = documents.Count / best[name];
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {rate:F1} docs/s | {rate / frozenRate:F2}x frozen |"));
        }
        foreach (var (_, model) in systems)
            (model as IDisposable)?.Dispose();
        return 0;
    }

    /// <summary>Seconds to read every row's Embedding from <paramref name="scored"/> (text → vector).</summary>
    public static double EncodingSeconds(IDataView scored)
    {
        var column = scored.Schema["Embedding"];
        var watch = Stopwatch.StartNew();
        using (var cursor = scored.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
                getter(ref buffer);
        }
        return watch.Elapsed.TotalSeconds;
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }
}
