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
/// An ML.NET pipeline measured the same way for every system: fit on the training documents, batched Transform over
/// the test documents (text to prediction), then single-row PredictionEngine calls over the test documents.
/// </summary>
public abstract class PipelineSystem : IBenchmarkSystem
{
    public abstract string Name { get; }

    /// <summary>What the table's Notes column says about the settings.</summary>
    protected abstract string Notes { get; }

    /// <summary>Passes over the training documents, for the training docs/s figure (1 for one-pass trainers).</summary>
    protected virtual int Epochs => 1;

    /// <summary>
    /// The Notes column once the figures are known (default <see cref="Notes"/>): systems that derive a rate from the
    /// timings, such as the pretrained encoders' share of the matrix-multiply peak, override this.
    /// </summary>
    protected virtual string Describe(Corpus corpus, PipelineFigures figures) => Notes;

    /// <summary>Test documents scored one at a time for the single-row figure (default all).</summary>
    protected virtual int SingleRowDocuments => int.MaxValue;

    /// <summary>Whether ML.NET's evaluator scores the test set once more to cross-check the accuracy (default yes).</summary>
    protected virtual bool CrossCheckWithEvaluator => true;

    /// <summary>The pipeline from columns Label (string) and Text to PredictedText (string).</summary>
    protected abstract IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log);

    public BenchmarkResult Run(Corpus corpus, TextWriter log)
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Training", StringComparison.Ordinal))
                log.WriteLine($"[{Name}] {e.Message}");
        };
        IDataView train = ml.Data.LoadFromEnumerable(corpus.Train.Select(d => new InputRow { Label = d.Label, Text = d.Text }));
        IDataView test = ml.Data.LoadFromEnumerable(corpus.Test.Select(d => new InputRow { Label = d.Label, Text = d.Text }));
        var pipeline = Pipeline(ml, log);

        ITransformer? model = null;
        double trainSeconds = Measure.Seconds(() => model = pipeline.Fit(train));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Name}] trained in {trainSeconds:F1} s"));
        // The peak of Fit, then a fresh one for scoring (where the system supports it); their maximum is the process's
        // peak as before, so the Peak memory column keeps its meaning.
        long fitPeak = Measure.PeakMemoryBytes();
        bool peaksSeparate = Measure.ResetPeakMemory();

        // Batched scoring: lazy Transform over the whole test set, fully materialized.
        var predicted = new List<string>(corpus.Test.Count);
        double scoreSeconds = Measure.Seconds(() =>
        {
            IDataView scored = model!.Transform(test);
            foreach (OutputRow row in ml.Data.CreateEnumerable<OutputRow>(scored, reuseRowObject: true))
            {
                predicted.Add(row.PredictedText);
            }
        });
        long scorePeak = Measure.PeakMemoryBytes();
        (double accuracy, double macro) = Measure.Accuracy(corpus.Test.Select(d => d.Label).ToList(), predicted);

        if (CrossCheckWithEvaluator)
        {
            MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model!.Transform(test));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Name}] ML.NET evaluator: micro {metrics.MicroAccuracy:P2}, macro {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F3}; own: {accuracy:P2} / {macro:P2}"));
        }

        // Single-row scoring through a PredictionEngine (first 50 calls are warm-up, not timed).
        using PredictionEngine<InputRow, OutputRow> engine = ml.Model.CreatePredictionEngine<InputRow, OutputRow>(model);
        var input = new InputRow();
        for (int i = 0; i < Math.Min(50, corpus.Test.Count); i++)
        {
            input.Text = corpus.Test[i].Text;
            engine.Predict(input);
        }
        var singleRows = corpus.Test.Take(SingleRowDocuments).ToList();
        var watch = Stopwatch.StartNew();
        foreach (Document d in singleRows)
        {
            input.Text = d.Text;
            engine.Predict(input);
        }
        double singleRow = singleRows.Count / watch.Elapsed.TotalSeconds;

        long peak = Math.Max(fitPeak, Measure.PeakMemoryBytes());
        string notes = Describe(corpus, new PipelineFigures(trainSeconds, scoreSeconds, singleRow, fitPeak, peaksSeparate ? scorePeak : null));
        return new BenchmarkResult(Name, corpus.Name, corpus.Train.Count, corpus.Test.Count, accuracy, macro,
            trainSeconds, scoreSeconds, singleRow, peak, notes, Epochs);
    }

    private sealed class InputRow
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class OutputRow
    {
        public string PredictedText { get; set; } = "";
    }
}

/// <summary>
/// What <see cref="PipelineSystem"/> measured, for <see cref="PipelineSystem.Describe"/>. <see cref="ScorePeakBytes"/>
/// is the peak of the batched Transform alone (null where VmHWM cannot be reset).
/// </summary>
public sealed record PipelineFigures(double TrainSeconds, double ScoreSeconds, double SingleRowDocsPerSecond, long FitPeakBytes, long? ScorePeakBytes);

/// <summary>ML.NET baseline: MapValueToKey(Label) → FeaturizeText(defaults) → SdcaMaximumEntropy(defaults).</summary>
public sealed class FeaturizeSdcaSystem : PipelineSystem
{
    public override string Name => "featurize-sdca";

    protected override string Notes => "ML.NET 5.0.1 defaults";

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
}
