using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 36 (calibrated confidence): how far the classifiers' probabilities can be trusted, before and after temperature
/// scaling. Per seed (<c>--seeds 1,2,3</c>, default 1), each system in a new <c>MLContext(seed)</c>:
/// the HAN with the defaults and <c>ScaleTemperature</c> on the first <c>--train N</c> training documents (default 4000);
/// all-MiniLM-L6-v2 fine-tuned by <c>PretrainedTextClassifier</c> (its head kept, the library's fine-tuning defaults,
/// <c>ScaleTemperature</c>) on the first <c>--finetune-train M</c> (default 2000; <c>--epochs</c> overrides the default
/// 3); ML.NET's <c>FeaturizeText</c> + <c>SdcaMaximumEntropy</c> on the first N and, when M differs, on the first M.
/// Scaling changes nothing in training, so one fit gives both rows: the scores before scaling are the scaled ones
/// raised to the power T and renormalized (softmax(z / T)^T ∝ exp(z)).
/// Every row is evaluated on all test documents with <c>EvaluateCalibration</c> (15 bins). Diagnostics, never used to
/// choose anything: the temperature that minimizes the test rows' negative log-likelihood and the error it gives, and
/// the smallest error any single temperature gives on the test rows (what temperature scaling could reach at best).
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus imdb --scenario calibration [--train 4000] [--finetune-train 2000] [--seeds 1,2,3] [--systems han,minilm,sdca]
/// </summary>
public static class CalibrationScenario
{
    /// <summary>--finetune-train M: the first M training documents MiniLM is fine-tuned on.</summary>
    public static int FineTuneDocuments { get; set; } = 2000;

    /// <summary>--systems han,minilm,sdca (default all): the systems to run.</summary>
    public static string[] Systems { get; set; } = { "han", "minilm", "sdca" };

    // Not a speed benchmark: one libtorch thread each, which on a loaded shared machine avoids waiting at every
    // parallel region for a descheduled second thread.
    private const int Threads = 1;

    private sealed record CalibrationSystem(string Key, string Name, int Documents, Func<MLContext, IEstimator<ITransformer>> Pipeline);

    private sealed record Row(string System, int Seed, CalibrationMetrics Metrics);

    public static int Run(Corpus corpus, TextWriter log, int trainCount, int[] seeds, int? epochs)
    {
        int fineTune = Math.Min(FineTuneDocuments, corpus.Train.Count);
        trainCount = Math.Min(trainCount, corpus.Train.Count);
        var systems = new List<CalibrationSystem>
        {
            new("han", "HAN", trainCount, ml => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { ScaleTemperature = true, NumberOfThreads = Threads }))),
            new("minilm", "MiniLM fine-tuned, head kept", fineTune, ml => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.PretrainedTextClassifier(FineTunedOptions(epochs)))),
            new("sdca", "FeaturizeText + SdcaMaximumEntropy", trainCount, Sdca),
        };
        if (fineTune != trainCount)
            systems.Add(new("sdca", "FeaturizeText + SdcaMaximumEntropy", fineTune, Sdca));
        systems.RemoveAll(s => !Systems.Contains(s.Key));
        log.WriteLine($"calibration on {corpus.Name}: {corpus.Test.Count} test documents, seeds {string.Join(",", seeds)}");
        log.WriteLine("| Seed | System | Training docs | T fitted | Accuracy | ECE (15 bins) | MCE | Coverage at ≥ 0.9 | Accuracy there | T* (test NLL, diagnostic) | ECE at T* | min ECE over T (diagnostic) |");
        var rows = new List<Row>();
        foreach (int seed in seeds)
        {
            foreach (var system in systems)
            {
                var ml = new MLContext(seed);
                var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(system.Documents).Select(d => TextRow.From(d)));
                var test = ml.Data.LoadFromEnumerable(corpus.Test.Select(d => TextRow.From(d)));
                var model = system.Pipeline(ml).Fit(train);
                var (labels, scores) = ReadScores(model.Transform(test));
                double? temperature = ((IEnumerable<ITransformer>)model).Last() switch
                {
                    HierarchicalAttentionTransformer han => han.Temperature,
                    PretrainedTextClassifierTransformer pretrained => pretrained.Temperature,
                    _ => null,
                };
                (model as IDisposable)?.Dispose();
                string name = $"{system.Name} ({system.Documents} docs)";
                if (temperature is double t)
                {
                    var before = Rescale(scores, t);
                    rows.Add(Report(ml, log, seed, name, "1", labels, before));
                    rows.Add(Report(ml, log, seed, name + ", ScaleTemperature", t.ToString("F3", CultureInfo.InvariantCulture), labels, scores));
                }
                else
                    rows.Add(Report(ml, log, seed, name, "–", labels, scores));
            }
        }
        Summarize(log, rows);
        return 0;
    }

    private static IEstimator<ITransformer> Sdca(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());

    // The benchmark's MiniLM settings (MiniLmFeaturizer) with the library's validation hold-out, which early stopping and
    // the temperature need.
    private static PretrainedTextClassifierTrainer.Options FineTunedOptions(int? epochs)
    {
        var defaults = new PretrainedTextClassifierTrainer.Options();
        var options = MiniLmFeaturizer.ClassifierOptions(epochs ?? defaults.NumberOfEpochs);
        options.ValidationFraction = defaults.ValidationFraction;
        options.ScaleTemperature = true;
        options.NumberOfThreads = Threads;
        return options;
    }

    private static (uint[] Labels, float[][] Scores) ReadScores(IDataView scored)
    {
        var label = scored.Schema["Label"];
        var score = scored.Schema["Score"];
        var labels = new List<uint>();
        var scores = new List<float[]>();
        using var cursor = scored.GetRowCursor(new[] { label, score });
        var readLabel = cursor.GetGetter<uint>(label);
        var readScore = cursor.GetGetter<VBuffer<float>>(score);
        uint value = 0;
        var vector = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            readLabel(ref value);
            readScore(ref vector);
            labels.Add(value);
            scores.Add(vector.DenseValues().ToArray());
        }
        return (labels.ToArray(), scores.ToArray());
    }

    // softmax(log p · power), in double: with power = T it undoes a temperature T (softmax(z / T)^T ∝ exp(z)).
    private static float[][] Rescale(float[][] probabilities, double power) => probabilities.Select(p =>
    {
        var logits = p.Select(v => power * Math.Log(v)).ToArray();
        double max = logits.Max();
        var e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double total = e.Sum();
        return e.Select(v => (float)(v / total)).ToArray();
    }).ToArray();

    private sealed class ScoredRow
    {
        public uint Label;
        public float[] Score = Array.Empty<float>();
    }

    private static CalibrationMetrics Evaluate(MLContext ml, uint[] labels, float[][] scores)
    {
        var definition = SchemaDefinition.Create(typeof(ScoredRow));
        definition[nameof(ScoredRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), scores[0].Length);
        definition[nameof(ScoredRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, scores[0].Length);
        // A key in a user type is counted from 0 (LoadFromEnumerable adds 1); a missing label (0) wraps to missing again.
        var data = ml.Data.LoadFromEnumerable(labels.Select((l, i) => new ScoredRow { Label = unchecked(l - 1), Score = scores[i] }), definition);
        return ml.MulticlassClassification.EvaluateCalibration(data);
    }

    // Mean negative log-likelihood of the test labels (rows with a label only).
    private static double NegativeLogLikelihood(uint[] labels, float[][] probabilities)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 0)
            {
                sum -= Math.Log(Math.Max(probabilities[i][labels[i] - 1], 1e-30));
                count++;
            }
        return sum / count;
    }

    private static Row Report(MLContext ml, TextWriter log, int seed, string name, string fitted, uint[] labels, float[][] probabilities)
    {
        var metrics = Evaluate(ml, labels, probabilities);
        var (coverage, accuracy) = metrics.AtThreshold(0.9);
        // Diagnostics on the test rows, relative to these scores: a grid of temperatures 0.25 to 4 (log spaced).
        double bestNllTemperature = 1, bestNll = double.MaxValue, eceAtBestNll = double.NaN, minEce = double.MaxValue;
        for (double logT = -Math.Log(4); logT <= Math.Log(4) + 1e-9; logT += 0.02)
        {
            var rescaled = Rescale(probabilities, Math.Exp(-logT));
            double nll = NegativeLogLikelihood(labels, rescaled);
            double ece = Evaluate(ml, labels, rescaled).ExpectedCalibrationError;
            if (nll < bestNll)
                (bestNll, bestNllTemperature, eceAtBestNll) = (nll, Math.Exp(logT), ece);
            minEce = Math.Min(minEce, ece);
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {seed} | {name} | {fitted} | {metrics.Accuracy:P2} | {metrics.ExpectedCalibrationError:F4} | {metrics.MaximumCalibrationError:F4} | {coverage:P1} | {accuracy:P2} | ×{bestNllTemperature:F3} | {eceAtBestNll:F4} | {minEce:F4} |"));
        foreach (var bin in metrics.Bins.Where(b => b.Count > 0))
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    ({bin.Lower:F3}, {bin.Upper:F3}]: {bin.Count} rows, confidence {bin.MeanConfidence:F3}, accuracy {bin.Accuracy:F3}"));
        log.Flush();
        return new Row(name, seed, metrics);
    }

    // Per system: mean and range over the seeds; for scaled rows, whether each seed met issue 36's target
    // (after ≤ max(0.02, before / 2)).
    private static void Summarize(TextWriter log, List<Row> rows)
    {
        log.WriteLine("| System | Seeds | Accuracy mean (min–max) | ECE mean (min–max) | Target met (seeds) |");
        foreach (var group in rows.GroupBy(r => r.System))
        {
            string target = "";
            const string Scaled = ", ScaleTemperature";
            if (group.Key.EndsWith(Scaled, StringComparison.Ordinal))
            {
                string unscaled = group.Key[..^Scaled.Length];
                int met = group.Count(r => r.Metrics.ExpectedCalibrationError <= Math.Max(0.02,
                    rows.Single(b => b.System == unscaled && b.Seed == r.Seed).Metrics.ExpectedCalibrationError / 2));
                target = $"{met} of {group.Count()}";
            }
            var accuracy = group.Select(r => r.Metrics.Accuracy).ToArray();
            var ece = group.Select(r => r.Metrics.ExpectedCalibrationError).ToArray();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {group.Count()} | {accuracy.Average():P2} ({accuracy.Min():P2}–{accuracy.Max():P2}) | {ece.Average():F4} ({ece.Min():F4}–{ece.Max():F4}) | {target} |"));
        }
    }
}
