using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 36 (calibrated confidence): how far the classifiers' probabilities can be trusted. On the first <c>--train N</c>
/// training documents (default 4000) and all test documents: the HAN with the defaults, the same with its temperature
/// scaled on its validation rows (<c>ScaleTemperature</c>), and ML.NET's
/// <c>FeaturizeText</c> + <c>SdcaMaximumEntropy</c>, each evaluated with <c>EvaluateCalibration</c> (15 bins): accuracy,
/// expected and maximum calibration error, and the coverage and accuracy when only rows of confidence ≥ 0.9 are answered.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus imdb --scenario calibration [--train 4000]
/// </summary>
public static class CalibrationScenario
{
    public static int Run(Corpus corpus, TextWriter log, int trainCount)
    {
        // Each system in a new context of seed 1: the two HANs are the same network, before and after scaling.
        var systems = new (string Name, Func<MLContext, IEstimator<ITransformer>> Pipeline)[]
        {
            ("HAN (defaults)", ml => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention("Label", "Text"))),
            ("HAN (defaults + ScaleTemperature)", ml => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { ScaleTemperature = true }))),
            ("FeaturizeText + SdcaMaximumEntropy", ml => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())),
        };
        log.WriteLine($"calibration on {corpus.Name}: {Math.Min(trainCount, corpus.Train.Count)} training, {corpus.Test.Count} test documents");
        log.WriteLine("| System | Accuracy | ECE (15 bins) | MCE | Coverage at confidence ≥ 0.9 | Accuracy there |");
        foreach (var (name, pipeline) in systems)
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => TextRow.From(d)));
            var test = ml.Data.LoadFromEnumerable(corpus.Test.Select(d => TextRow.From(d)));
            var model = pipeline(ml).Fit(train);
            var metrics = ml.MulticlassClassification.EvaluateCalibration(model.Transform(test));
            var (coverage, accuracy) = metrics.AtThreshold(0.9);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {metrics.Accuracy:P2} | {metrics.ExpectedCalibrationError:F4} | {metrics.MaximumCalibrationError:F4} | {coverage:P1} | {accuracy:P2} |"));
            foreach (var bin in metrics.Bins.Where(b => b.Count > 0))
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    ({bin.Lower:F3}, {bin.Upper:F3}]: {bin.Count} rows, confidence {bin.MeanConfidence:F3}, accuracy {bin.Accuracy:F3}"));
            (model as IDisposable)?.Dispose();
        }
        return 0;
    }

}
