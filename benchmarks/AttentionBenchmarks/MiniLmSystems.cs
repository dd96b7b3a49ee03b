using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// Settings shared by the systems that run all-MiniLM-L6-v2 through this library's pretrained encoder
/// (<c>ApplyPretrainedEncoder</c>), matched to <see cref="OnnxRuntimeMiniLmSdcaSystem"/> and to
/// benchmarks/reference/minilm_finetune.py: 2 threads, the library's fine-tuning defaults (batches of 16, AdamW 1e-4), at most
/// 256 tokens, no validation hold-out.
/// </summary>
internal static class MiniLmFeaturizer
{
    public static PretrainedEncoderEstimator.Options Options(string? label, int epochs) => new()
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        ModelPath = MiniLmModel.OnnxPath(MiniLmModel.Folder(Program.DataDirectory)),
        LabelColumnName = label,
        NumberOfEpochs = epochs,
        // Fine-tuning keeps the library's defaults (AdamW 1e-4, batches of 16, 10% warm-up), as the PyTorch reference's defaults.
        MaximumTokens = OnnxRuntimeMiniLm.MaximumTokens,
        ValidationFraction = 0,
        NumberOfThreads = 2,
    };

    /// <summary>The same model and fine-tuning settings for <c>PretrainedTextClassifier</c>, which keeps the fine-tuning's head.</summary>
    public static PretrainedTextClassifierTrainer.Options ClassifierOptions(int epochs)
    {
        var encoder = Options("Label", epochs);
        return new PretrainedTextClassifierTrainer.Options
        {
            TextColumnName = encoder.InputColumnName,
            LabelColumnName = "Label",
            ModelPath = encoder.ModelPath,
            NumberOfEpochs = encoder.NumberOfEpochs,
            MaximumTokens = encoder.MaximumTokens,
            ValidationFraction = encoder.ValidationFraction,
            NumberOfThreads = encoder.NumberOfThreads,
        };
    }

    /// <summary>Token counts of the texts by <see cref="MiniLmIds"/>, for <see cref="BertCost.Flops"/>.</summary>
    public static int[] TokenCounts(IEnumerable<Document> documents)
    {
        var ids = new MiniLmIds(MiniLmModel.Folder(Program.DataDirectory));
        return documents.Select(d => ids.Ids(d.Text).Length).ToArray();
    }

    public static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Frozen all-MiniLM-L6-v2 vectors (no label: <c>Fit</c> only reads the model) → L2 normalization (a no-op if the
/// featurizer already normalizes; it makes the SDCA input the same as <see cref="OnnxRuntimeMiniLmSdcaSystem"/>'s)
/// → SdcaMaximumEntropy on all training documents. Training time therefore includes featurizing every training text
/// (once, into the cache checkpoint); scoring time is text → predicted label through Transform.
/// </summary>
public sealed class MiniLmFrozenSdcaSystem : PipelineSystem
{
    public override string Name => "minilm-frozen-sdca";

    protected override string Notes => "all-MiniLM-L6-v2 frozen (this library), 2 threads, ≤256 tokens, vectors L2-normalized → SDCA";

    // A transformer costs about 15 ms a document on one row: 500 rows measure it; all 9,669 would add minutes.
    protected override int SingleRowDocuments => 500;

    protected override bool CrossCheckWithEvaluator => false;

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options(label: null, epochs: 1)))
            .Append(ml.Transforms.NormalizeLpNorm("Features", "Embedding"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));

    protected override string Describe(Corpus corpus, PipelineFigures figures)
    {
        double trainFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(corpus.Train));
        double testFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(corpus.Test));
        string peaks = figures.ScorePeakBytes is long score
            ? $"peak memory fit {MiniLmFeaturizer.Mib(figures.FitPeakBytes)} MiB, scoring {MiniLmFeaturizer.Mib(score)} MiB"
            : $"peak memory {MiniLmFeaturizer.Mib(figures.FitPeakBytes)} MiB";
        return $"{Notes}. Scoring (text → label, batch) {BertCost.Describe(testFlops, figures.ScoreSeconds)}; "
            + $"fit (featurizing the training texts + SDCA) {BertCost.Describe(trainFlops, figures.TrainSeconds)}; {peaks}";
    }
}

/// <summary>
/// all-MiniLM-L6-v2 fine-tuned by this library on the first <c>documents</c> training documents (default 4000, or
/// <c>--train N</c>; 1
/// epoch; the featurizer's fine-tuning defaults: AdamW 5e-5, weight decay 0.01, 10% warm-up then linear decay,
/// clipping 1.0; no hold-out, as benchmarks/reference/minilm_finetune.py), then its vectors (L2-normalized) of all
/// training documents → SdcaMaximumEntropy, so SDCA sees the same rows as in <see cref="MiniLmFrozenSdcaSystem"/>
/// and the two differ only by the fine-tuning. Train docs/s is the fine-tuning's (documents x epochs / seconds of the
/// featurizer's Fit, tokenization included); SDCA's time, featurization of all training texts included, is in Notes.
/// </summary>
public sealed class MiniLmFineTunedSdcaSystem : IBenchmarkSystem
{
    private readonly int _documents;
    private readonly int _epochs;
    private readonly bool _withNgrams;

    /// <param name="withNgrams">Also FeaturizeText's n-grams beside the vectors, as the featurizer's docs recommend for the from-scratch encoder.</param>
    public MiniLmFineTunedSdcaSystem(int documents = 4000, int epochs = 1, bool withNgrams = false)
    {
        _documents = documents;
        _epochs = epochs;
        _withNgrams = withNgrams;
    }

    public string Name => _withNgrams ? "minilm-finetuned-ngrams-sdca" : "minilm-finetuned-sdca";

    public BenchmarkResult Run(Corpus corpus, TextWriter log)
    {
        var (ml, tuneDocuments, train, tune, test, keys) = FineTuningData.Prepare(corpus, log, Name, _documents);

        ITransformer featurizer = null!;
        double tuneSeconds = Measure.Seconds(() =>
            featurizer = ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options("Label", _epochs)).Fit(keys.Transform(tune)));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Name}] fine-tuned on {tuneDocuments.Count} documents x {_epochs} epochs in {tuneSeconds:F1} s ({tuneDocuments.Count * _epochs / tuneSeconds:F1} docs/s)"));
        long tunePeak = Measure.PeakMemoryBytes();

        ITransformer sdca = null!;
        double sdcaSeconds = Measure.Seconds(() =>
            sdca = (_withNgrams
                    ? ml.Transforms.NormalizeLpNorm("Vector", "Embedding").Append(ml.Transforms.Text.FeaturizeText("Ngrams", "Text"))
                        .Append(ml.Transforms.Concatenate("Features", "Vector", "Ngrams"))
                    : (IEstimator<ITransformer>)ml.Transforms.NormalizeLpNorm("Features", "Embedding"))
                .AppendCacheCheckpoint(ml)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"))
                .Fit(featurizer.Transform(keys.Transform(train))));
        long fitPeak = Measure.PeakMemoryBytes();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Name}] SDCA on the vectors of {corpus.Train.Count} training documents in {sdcaSeconds:F1} s (featurization included)"));

        bool peaksSeparate = Measure.ResetPeakMemory();
        List<string> predicted = null!;
        double scoreSeconds = Measure.Seconds(() => predicted = FineTuningData.Predicted(ml, sdca.Transform(featurizer.Transform(keys.Transform(test)))));
        long scorePeak = Measure.PeakMemoryBytes();
        (double accuracy, double macro) = Measure.Accuracy(corpus.Test.Select(d => d.Label).ToList(), predicted);
        (featurizer as IDisposable)?.Dispose();

        double tuneFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(tuneDocuments)) * _epochs;
        double testFlops = BertCost.Flops(MiniLmFeaturizer.TokenCounts(corpus.Test));
        string peaks = peaksSeparate
            ? $"peak memory fine-tuning {MiniLmFeaturizer.Mib(tunePeak)} MiB, fit with SDCA {MiniLmFeaturizer.Mib(fitPeak)} MiB, scoring {MiniLmFeaturizer.Mib(scorePeak)} MiB"
            : $"peak memory {MiniLmFeaturizer.Mib(scorePeak)} MiB";
        // A training step costs about three forward passes (forward, and backward's two products per weight matrix).
        string notes = string.Create(CultureInfo.InvariantCulture,
            $"all-MiniLM-L6-v2 fine-tuned (this library) on the first {tuneDocuments.Count} training documents, {_epochs} epoch(s), AdamW 1e-4 (head 20x), batch 16, 10% warm-up, 2 threads, ≤256 tokens; "
            + $"fine-tuning ≈ 3 forward passes: {BertCost.Describe(3 * tuneFlops, tuneSeconds)}; vectors (L2) {(_withNgrams ? "+ FeaturizeText n-grams " : "")}of all {corpus.Train.Count} training documents → SDCA in {sdcaSeconds:F1} s; "
            + $"scoring (text → label) {BertCost.Describe(testFlops, scoreSeconds)}; {peaks}");
        return new BenchmarkResult(Name, corpus.Name, tuneDocuments.Count, corpus.Test.Count, accuracy, macro,
            tuneSeconds, scoreSeconds, null, Math.Max(fitPeak, scorePeak), notes, _epochs);
    }
}

/// <summary>
/// The data of the systems that fine-tune MiniLM on the first N training documents: the context (its training log
/// forwarded), the documents, their views and the label's keys from all training documents (so the head has every
/// class even if the first N lack one); and the predicted labels of a scored view.
/// </summary>
internal sealed record FineTuningData(MLContext Ml, List<Document> TuneDocuments, IDataView Train, IDataView Tune, IDataView Test, ITransformer Keys)
{
    public static FineTuningData Prepare(Corpus corpus, TextWriter log, string name, int documents)
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Training", StringComparison.Ordinal))
                log.WriteLine($"[{name}] {e.Message}");
        };
        List<Document> tuneDocuments = corpus.Train.Take(Program.TrainDocuments ?? documents).ToList();
        IDataView View(IEnumerable<Document> rows) => ml.Data.LoadFromEnumerable(rows.Select(d => new InputRow { Label = d.Label, Text = d.Text }));
        IDataView train = View(corpus.Train);
        return new FineTuningData(ml, tuneDocuments, train, View(tuneDocuments), View(corpus.Test), ml.Transforms.Conversion.MapValueToKey("Label").Fit(train));
    }

    /// <summary>The PredictedText column of <paramref name="scored"/>, row by row.</summary>
    public static List<string> Predicted(MLContext ml, IDataView scored)
        => ml.Data.CreateEnumerable<OutputRow>(scored, reuseRowObject: true).Select(row => row.PredictedText).ToList();

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
