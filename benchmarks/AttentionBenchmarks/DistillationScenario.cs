using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 22: distillation of a fine-tuned all-MiniLM-L6-v2 teacher into the fast components, in one run.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario distillation [--train N] [--append-docs]
/// The first N training documents (default 4000) keep their labels; the other training documents are the unlabeled
/// in-domain texts (their labels are dropped, key 0). The teacher is MiniLM fine-tuned on the labelled documents (1 epoch,
/// the featurizer's fine-tuning defaults, ≤256 tokens) → L2 → SdcaMaximumEntropy on the same documents; its class
/// probabilities over every training document become the column TeacherScore. Students, each with the library's
/// defaults (validation hold-out and early stopping included) and the distillation settings the sample uses
/// (temperature 1, weight 0.5): the hierarchical attention network and the from-scratch featurizer → SDCA, each trained
/// on the labels alone, distilled on the labelled documents, and distilled with the unlabeled texts added. For the
/// featurizer, SDCA always learns from the labelled documents only; what the teacher teaches is the featurizer.
/// Every row reports accuracy on the test set, fit time, batched scoring docs/s and the peak resident memory of its fit
/// and scoring (VmHWM reset before each system).
/// </summary>
public static class DistillationScenario
{
    private const float Temperature = 1f;
    private const float Weight = 0.5f;

    public static IReadOnlyList<BenchmarkResult> Run(Corpus corpus, TextWriter log, int labelledCount)
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Training", StringComparison.Ordinal))
                log.WriteLine($"[distillation] {e.Message}");
        };
        labelledCount = Math.Min(labelledCount, corpus.Train.Count);
        List<Row> labelled = corpus.Train.Take(labelledCount).Select(d => new Row { Label = d.Label, Text = d.Text }).ToList();
        List<Row> unlabeled = corpus.Train.Skip(labelledCount).Select(d => new Row { Label = "", Text = d.Text }).ToList();
        // The label's keys come from all training labels, so the teacher's score vector and every student agree on the
        // classes; the empty label of an unlabeled text is not among them and reads as missing (key 0).
        ITransformer keys = ml.Transforms.Conversion.MapValueToKey("Label")
            .Fit(ml.Data.LoadFromEnumerable(corpus.Train.Select(d => new Row { Label = d.Label, Text = d.Text })));
        IDataView test = keys.Transform(ml.Data.LoadFromEnumerable(corpus.Test.Select(d => new Row { Label = d.Label, Text = d.Text })));
        IDataView Keyed(IEnumerable<Row> rows) => keys.Transform(ml.Data.LoadFromEnumerable(rows));
        var results = new List<BenchmarkResult>();
        string split = $"{labelled.Count}+{unlabeled.Count}";

        // The teacher.
        Measure.ResetPeakMemory();
        ITransformer teacher = null!;
        double teacherSeconds = Measure.Seconds(() => teacher = ml.Transforms.Text.SelfAttentionFeaturize(MiniLmFeaturizer.Options("Label", 1))
            .Append(ml.Transforms.NormalizeLpNorm("Features", "Embedding"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Fit(Keyed(labelled)));
        results.Add(Evaluate(ml, "teacher: minilm-finetuned-sdca", corpus, split, teacher, test, teacherSeconds, labelled.Count,
            $"all-MiniLM-L6-v2 fine-tuned on the {labelled.Count} labelled documents (1 epoch, fine-tuning defaults, ≤256 tokens) → L2 → SDCA on them", log));
        double teacherDocsPerSecond = results[0].ScoreDocsPerSecond;

        // Its probabilities over every training text, read once; the students' fits read the column from memory.
        int classes = 0;
        var scored = new List<TaughtRow>(corpus.Train.Count);
        List<Row> training = labelled.Concat(unlabeled).ToList();
        var watch = Stopwatch.StartNew();
        // Transform keeps the rows' order, so the i-th score belongs to the i-th training row.
        foreach (var row in ml.Data.CreateEnumerable<ScoreRow>(teacher.Transform(Keyed(training)), reuseRowObject: false))
        {
            scored.Add(new TaughtRow { Text = training[scored.Count].Text, Label = training[scored.Count].Label, TeacherScore = row.Score });
            classes = row.Score.Length;
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[distillation] teacher scored {scored.Count} training texts in {watch.Elapsed.TotalSeconds:F1} s ({scored.Count / watch.Elapsed.TotalSeconds:F0} docs/s)"));
        (teacher as IDisposable)?.Dispose();
        var taughtSchema = SchemaDefinition.Create(typeof(TaughtRow));
        taughtSchema[nameof(TaughtRow.TeacherScore)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        IDataView Taught(int count) => keys.Transform(ml.Data.LoadFromEnumerable(scored.Take(count), taughtSchema));
        IDataView taughtLabelled = Taught(labelled.Count), taughtAll = Taught(scored.Count);
        IDataView labelledOnly = Keyed(labelled);

        // Students: the hierarchical attention network.
        HierarchicalAttentionTrainer.Options Han(string? teacherColumn) => new()
        {
            LabelColumnName = "Label",
            TextColumnName = "Text",
            NumberOfThreads = 2,
            TeacherScoreColumnName = teacherColumn,
            DistillationTemperature = Temperature,
            DistillationWeight = Weight,
        };
        foreach ((string name, IDataView data, string? column, int rows) in new[]
        {
            ("han: labels", labelledOnly, (string?)null, labelled.Count),
            ("han: distilled", taughtLabelled, "TeacherScore", labelled.Count),
            ("han: distilled + unlabeled", taughtAll, "TeacherScore", scored.Count),
        })
        {
            Measure.ResetPeakMemory();
            ITransformer model = null!;
            double seconds = Measure.Seconds(() => model = ml.MulticlassClassification.Trainers.HierarchicalAttention(Han(column)).Fit(data));
            results.Add(Evaluate(ml, name, corpus, split, model, test, seconds, rows, Describe("HAN defaults", column, rows, teacherDocsPerSecond), log,
                teacherDocsPerSecond));
            (model as IDisposable)?.Dispose();
        }

        // Students: the from-scratch featurizer; SDCA on the labelled documents' vectors.
        SelfAttentionFeaturizingEstimator.Options Featurizer(string? teacherColumn) => new()
        {
            InputColumnName = "Text",
            OutputColumnName = "Embedding",
            LabelColumnName = "Label",
            NumberOfThreads = 2,
            TeacherScoreColumnName = teacherColumn,
            DistillationTemperature = Temperature,
            DistillationWeight = Weight,
        };
        foreach ((string name, IDataView data, string? column, int rows) in new[]
        {
            ("featurizer-sdca: labels", labelledOnly, (string?)null, labelled.Count),
            ("featurizer-sdca: distilled", taughtLabelled, "TeacherScore", labelled.Count),
            ("featurizer-sdca: distilled + unlabeled", taughtAll, "TeacherScore", scored.Count),
        })
        {
            Measure.ResetPeakMemory();
            ITransformer model = null!;
            double seconds = Measure.Seconds(() =>
            {
                var featurizer = ml.Transforms.Text.SelfAttentionFeaturize(Featurizer(column)).Fit(data);
                var head = ml.Transforms.NormalizeLpNorm("Features", "Embedding").AppendCacheCheckpoint(ml)
                    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                    .Fit(featurizer.Transform(labelledOnly));
                model = featurizer.Append(head);
            });
            results.Add(Evaluate(ml, name, corpus, split, model, test, seconds, rows,
                Describe("featurizer defaults → L2 → SDCA on the labelled documents", column, rows, teacherDocsPerSecond), log, teacherDocsPerSecond));
            (model as IDisposable)?.Dispose();
        }
        return results;
    }

    private static string Describe(string what, string? teacherColumn, int rows, double teacherDocsPerSecond)
        => teacherColumn is null
            ? $"{what}, trained on the labels of {rows} documents"
            : string.Create(CultureInfo.InvariantCulture, $"{what}, distilled (temperature {Temperature}, weight {Weight}) on {rows} documents");

    private static BenchmarkResult Evaluate(MLContext ml, string name, Corpus corpus, string split, ITransformer model, IDataView test,
        double fitSeconds, int trainRows, string notes, TextWriter log, double? teacherDocsPerSecond = null)
    {
        long fitPeak = Measure.PeakMemoryBytes();
        var predicted = new List<uint>(corpus.Test.Count);
        var gold = new List<uint>(corpus.Test.Count);
        double scoreSeconds = Measure.Seconds(() =>
        {
            foreach (var row in ml.Data.CreateEnumerable<PredictionRow>(model.Transform(test), reuseRowObject: true))
            {
                predicted.Add(row.PredictedLabel);
                gold.Add(row.Label);
            }
        });
        long peak = Math.Max(fitPeak, Measure.PeakMemoryBytes());
        (double accuracy, double macro) = Measure.Accuracy(
            gold.Select(g => g.ToString(CultureInfo.InvariantCulture)).ToList(), predicted.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList());
        double docsPerSecond = corpus.Test.Count / scoreSeconds;
        if (teacherDocsPerSecond is double t)
            notes += string.Create(CultureInfo.InvariantCulture, $"; scores {docsPerSecond / t:F0}x the teacher's docs/s");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[distillation] {name}: accuracy {accuracy:P1}, macro {macro:P1}, fit {fitSeconds:F1} s, scoring {docsPerSecond:F0} docs/s"));
        return new BenchmarkResult(name, corpus.Name, trainRows, corpus.Test.Count, accuracy, macro, fitSeconds, scoreSeconds, null, peak,
            $"labelled+unlabeled {split}; " + notes);
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class TaughtRow
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
        public float[] TeacherScore { get; set; } = Array.Empty<float>();
    }

    private sealed class PredictionRow
    {
        public uint Label { get; set; }
        public uint PredictedLabel { get; set; }
    }
}
