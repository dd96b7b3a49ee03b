using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;

namespace AttentionBenchmarks;

/// <summary>
/// all-MiniLM-L6-v2 fine-tuned by <c>PretrainedTextClassifier</c> on the same first <c>documents</c> training documents,
/// with the same settings as <see cref="MiniLmFineTunedSdcaSystem"/> (<see cref="MiniLmFeaturizer.ClassifierOptions"/>),
/// and the fine-tuning's own head kept as the classifier: the two systems differ only by the classifier a user ends
/// with (issue 34: SDCA on the fine-tuned vectors vs the fine-tuned head). Train docs/s is the fine-tuning's.
/// </summary>
public sealed class MiniLmFineTunedHeadSystem : IBenchmarkSystem
{
    private readonly int _documents;
    private readonly int _epochs;

    public MiniLmFineTunedHeadSystem(int documents = 4000, int epochs = 1)
    {
        _documents = documents;
        _epochs = epochs;
    }

    public string Name => "minilm-finetuned-head";

    public BenchmarkResult Run(Corpus corpus, TextWriter log)
    {
        var (ml, tuneDocuments, _, tune, test, keys) = FineTuningData.Prepare(corpus, log, Name, _documents);

        ITransformer classifier = null!;
        double tuneSeconds = Measure.Seconds(() => classifier = ml.MulticlassClassification.Trainers
            .PretrainedTextClassifier(MiniLmFeaturizer.ClassifierOptions(_epochs))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"))
            .Fit(keys.Transform(tune)));
        long fitPeak = Measure.PeakMemoryBytes();
        bool peaksSeparate = Measure.ResetPeakMemory();

        List<string> predicted = null!;
        double scoreSeconds = Measure.Seconds(() => predicted = FineTuningData.Predicted(ml, classifier.Transform(keys.Transform(test))));
        long scorePeak = Measure.PeakMemoryBytes();
        (double accuracy, double macro) = Measure.Accuracy(corpus.Test.Select(d => d.Label).ToList(), predicted);
        (classifier as IDisposable)?.Dispose();

        double tuneFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(tuneDocuments)) * _epochs;
        double testFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(corpus.Test));
        string peaks = peaksSeparate
            ? $"peak memory fine-tuning {MiniLmFeaturizer.Mib(fitPeak)} MiB, scoring {MiniLmFeaturizer.Mib(scorePeak)} MiB"
            : $"peak memory {MiniLmFeaturizer.Mib(scorePeak)} MiB";
        string notes = string.Create(CultureInfo.InvariantCulture,
            $"all-MiniLM-L6-v2 fine-tuned with its head kept (PretrainedTextClassifier) on the first {tuneDocuments.Count} training documents, {_epochs} epoch(s), "
            + $"AdamW 1e-4 (head 20x), batch 16, 10% warm-up, 2 threads, ≤256 tokens; fine-tuning ≈ 3 forward passes: {BertCost.Describe(3 * tuneFlops, tuneSeconds)}; "
            + $"scoring (text → label) {BertCost.Describe(testFlops, scoreSeconds)}; {peaks}");
        return new BenchmarkResult(Name, corpus.Name, tuneDocuments.Count, corpus.Test.Count, accuracy, macro,
            tuneSeconds, scoreSeconds, null, Math.Max(fitPeak, scorePeak), notes, _epochs);
    }
}
