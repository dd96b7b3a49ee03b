using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 34 (student speed): the HAN's batched scoring alone. Fits the HAN with the defaults for one epoch on the
/// first <c>--train N</c> training documents (scoring's cost does not depend on what was learned), then scores the test
/// documents through <c>Transform</c> three times, each a new view (the output cache serves only a view read before);
/// the best round counts. Run under <c>perf record</c> (with <c>DOTNET_PerfMapEnabled=1</c>) to see where the time goes.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus imdb --scenario han-scoring [--train 4000]
/// </summary>
public static class HanScoringScenario
{
    public static int Run(Corpus corpus, TextWriter log, int trainCount)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => TextRow.From(d)));
        var clock = Stopwatch.StartNew();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention("Label", "Text", numberOfEpochs: 1))
            .Fit(train);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"han-scoring: fitted on {trainCount} documents in {clock.Elapsed.TotalSeconds:F1} s"));
        var test = corpus.Test.Select(d => TextRow.From(d)).ToList();
        double best = double.PositiveInfinity;
        for (int round = 1; round <= 3; round++)
        {
            var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
            clock.Restart();
            using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score")))
            {
                var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
                var value = default(VBuffer<float>);
                while (cursor.MoveNext())
                    score(ref value);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            best = Math.Min(best, seconds);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: {test.Count / seconds:F0} docs/s"));
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| HAN batched scoring, {corpus.Name} | {test.Count / best:F0} docs/s (best of 3) |"));
        (model as IDisposable)?.Dispose();
        return 0;
    }

}
