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
/// Issue 20, point 1: fine-tuning as a user with only labelled data runs it. The first <c>train</c> training documents
/// are all there is: the featurizer fine-tunes all-MiniLM-L6-v2 on them (the library's defaults, or the settings given),
/// then <c>SdcaMaximumEntropy</c> trains on their L2-normalized vectors, and the test documents are scored through the
/// whole pipeline. One run per seed (<c>--seeds 1,2,3</c>); prints each accuracy, then the mean and the spread
/// (max − min), to set beside benchmarks/reference/minilm_finetune.py on the same documents, and the peak resident
/// memory of each fit (model load, fine-tuning, featurizing the training texts, SDCA), reset before it.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus NAME --scenario finetune-recipe
///       [--train 4000] [--seeds 1,2,3] [--lr X] [--epochs N] [--validation F] [--batch N]
/// </summary>
public static class FineTuningRecipeScenario
{
    /// <summary>--seeds: one run each.</summary>
    public static int[] Seeds { get; set; } = { 1 };

    /// <summary>--lr, --epochs, --validation, --batch: null keeps the library's default.</summary>
    public static double? LearningRate { get; set; }

    /// <inheritdoc cref="LearningRate"/>
    public static int? Epochs { get; set; }

    /// <inheritdoc cref="LearningRate"/>
    public static double? Validation { get; set; }

    /// <inheritdoc cref="LearningRate"/>
    public static int? BatchSize { get; set; }

    public static int Run(Corpus corpus, TextWriter log, int trainCount)
    {
        var accuracies = new List<double>();
        foreach (int seed in Seeds)
        {
            var ml = new MLContext(seed);
            ml.Log += (_, e) =>
            {
                if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Training", StringComparison.Ordinal))
                    log.WriteLine($"[seed {seed}] {e.Message}");
            };
            var labelled = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => new Row { Label = d.Label, Text = d.Text }));
            var test = ml.Data.LoadFromEnumerable(corpus.Test.Select(d => new Row { Label = d.Label, Text = d.Text }));
            var options = new PretrainedEncoderEstimator.Options
            {
                InputColumnName = "Text",
                OutputColumnName = "Embedding",
                ModelPath = MiniLmModel.OnnxPath(MiniLmModel.Folder(Program.DataDirectory)),
                LabelColumnName = "Label",
                MaximumTokens = OnnxRuntimeMiniLm.MaximumTokens,
                NumberOfThreads = 2,
            };
            if (LearningRate is double rate)
                options.LearningRate = rate;
            if (Epochs is int epochs)
                options.NumberOfEpochs = epochs;
            if (Validation is double validation)
                options.ValidationFraction = validation;
            if (BatchSize is int batch)
                options.BatchSize = batch;

            bool peakReset = Measure.ResetPeakMemory();
            double startMib = Measure.CurrentMemoryBytes() / (1024.0 * 1024.0);
            var clock = Stopwatch.StartNew();
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
                .Append(ml.Transforms.NormalizeLpNorm("Features", "Embedding"))
                .AppendCacheCheckpoint(ml)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"))
                .Fit(labelled);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            double fitPeakMib = Measure.PeakMemoryBytes() / (1024.0 * 1024.0);
            var scored = model.Transform(test);
            var gold = corpus.Test.Select(d => d.Label).ToList();
            var predicted = ml.Data.CreateEnumerable<Output>(scored, reuseRowObject: true).Select(p => p.PredictedText).ToList();
            var (accuracy, macro) = Measure.Accuracy(gold, predicted);
            accuracies.Add(accuracy);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"finetune-recipe seed {seed}: SDCA {accuracy:P2} (macro {macro:P2}); fit {fitSeconds:F0} s, peak memory of the fit {fitPeakMib:F0} MiB (from {startMib:F0}){(peakReset ? "" : " (the process's: the peak could not be reset)")}"));
            (model as IDisposable)?.Dispose();
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"finetune-recipe: {Seeds.Length} seeds, SDCA mean {accuracies.Average():P2}, spread {accuracies.Max() - accuracies.Min():P2}"));
        return 0;
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Output
    {
        public string PredictedText { get; set; } = "";
    }
}
