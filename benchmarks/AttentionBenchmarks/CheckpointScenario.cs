using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 15, point 1: MapValueToKey → SelfAttentionFeaturize(label, defaults) → SdcaMaximumEntropy(defaults), fitted
/// without and then with AppendCacheCheckpoint on the same documents in one run. Without a checkpoint SDCA reads the
/// featurizer's output on every pass; the transformer's output cache must keep that within 1.5x of the checkpoint.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario sdca-checkpoint [--documents 4000]
/// </summary>
public static class CheckpointScenario
{
    public static int Run(Corpus corpus, TextWriter log, int documents)
    {
        var train = corpus.Train.Take(documents).ToList();
        var test = corpus.Test.Take(Math.Max(500, documents / 4)).ToList();
        log.WriteLine($"sdca-checkpoint: {train.Count} training documents, {test.Count} test documents, featurizer defaults with the label, SDCA defaults");

        // Without first: it runs cold, so any warm-up favours the checkpointed run and the ratio is not flattered.
        var (withoutSeconds, withoutAccuracy) = FitAndScore(train, test, checkpoint: false, log);
        var (withSeconds, withAccuracy) = FitAndScore(train, test, checkpoint: true, log);
        double ratio = withoutSeconds / withSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| sdca-checkpoint | {train.Count} | without checkpoint {withoutSeconds:F1} s ({withoutAccuracy:P1}) | with checkpoint {withSeconds:F1} s ({withAccuracy:P1}) | ratio {ratio:F2}x (target ≤ 1.5x) | peak RSS {Measure.PeakMemoryBytes() / (1024.0 * 1024.0):F0} MiB |"));
        return ratio <= 1.5 ? 0 : 1;
    }

    private static (double Seconds, double Accuracy) FitAndScore(List<Document> train, List<Document> test, bool checkpoint, TextWriter log)
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
                log.WriteLine($"  [warning] {e.Message}");
        };
        IEstimator<ITransformer> pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options
            {
                InputColumnName = "Text", OutputColumnName = "Features", LabelColumnName = "Label",
            }));
        if (checkpoint)
            pipeline = pipeline.AppendCacheCheckpoint(ml);
        var estimator = pipeline.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());

        var data = ml.Data.LoadFromEnumerable(train.Select(d => new Row { Label = d.Label, Text = d.Text }));
        ITransformer? model = null;
        double seconds = Measure.Seconds(() => model = estimator.Fit(data));
        var metrics = ml.MulticlassClassification.Evaluate(model!.Transform(ml.Data.LoadFromEnumerable(test.Select(d => new Row { Label = d.Label, Text = d.Text }))));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {(checkpoint ? "with" : "without")} checkpoint: fit {seconds:F1} s, test accuracy {metrics.MicroAccuracy:P1}"));
        (model as IDisposable)?.Dispose();
        return (seconds, metrics.MicroAccuracy);
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }
}
