using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 33: what the stricter loading costs valid models. In one process: a HAN fitted for one epoch on the first
/// <c>--train N</c> training documents (default 2000) and saved; the frozen all-MiniLM-L6-v2 featurizer (its Fit reads
/// model.onnx) and that featurizer saved. Then, five rounds in turn, the best of each: reading model.onnx (a frozen Fit),
/// <c>Model.Load</c> of the HAN zip and of the MiniLM zip, each followed by scoring the first 200 test documents (so a
/// load that left work for later pays for it here). Run the same command on two builds, alternated.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --scenario load-time [--train 2000]
/// </summary>
public static class LoadTimeScenario
{
    public static int Run(Corpus corpus, TextWriter log, int trainCount)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => TextRow.From(d)));
        var test = ml.Data.LoadFromEnumerable(corpus.Test.Take(200).Select(d => TextRow.From(d)));
        var folder = Path.Combine(Path.GetTempPath(), $"load-time-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var hanZip = Path.Combine(folder, "han.zip");
            var han = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention("Label", "Text", numberOfEpochs: 1)).Fit(train);
            ml.Model.Save(han, train.Schema, hanZip);
            var miniLmZip = Path.Combine(folder, "minilm.zip");
            var frozen = FrozenMiniLm(ml, test);
            ml.Model.Save(frozen, test.Schema, miniLmZip);

            var steps = new (string Name, Func<ITransformer> Load)[]
            {
                ("MiniLM model.onnx read (frozen Fit)", () => FrozenMiniLm(ml, test)),
                ("HAN zip Model.Load", () => ml.Model.Load(hanZip, out _)),
                ("MiniLM zip Model.Load", () => ml.Model.Load(miniLmZip, out _)),
            };
            var best = steps.ToDictionary(s => s.Name, _ => (Load: double.PositiveInfinity, Score: double.PositiveInfinity));
            for (int round = 1; round <= 5; round++)
            {
                foreach (var (name, load) in steps)
                {
                    var clock = Stopwatch.StartNew();
                    var model = load();
                    double loadSeconds = clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var scored = model.Transform(test);
                    using (var cursor = scored.GetRowCursor(scored.Schema))
                        while (cursor.MoveNext()) { }
                    double scoreSeconds = clock.Elapsed.TotalSeconds;
                    (model as IDisposable)?.Dispose();
                    best[name] = (Math.Min(best[name].Load, loadSeconds), Math.Min(best[name].Score, scoreSeconds));
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}, {name}: load {loadSeconds * 1000:F0} ms, then 200 documents {scoreSeconds * 1000:F0} ms"));
                }
            }
            log.WriteLine("| Step | Load (best of 5) | Scoring 200 documents after it (best of 5) |");
            foreach (var (name, _) in steps)
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {best[name].Load * 1000:F0} ms | {best[name].Score * 1000:F0} ms |"));
            (han as IDisposable)?.Dispose();
            (frozen as IDisposable)?.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static ITransformer FrozenMiniLm(MLContext ml, IDataView data)
        => ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options(label: null, epochs: 1)).Fit(data);

}
