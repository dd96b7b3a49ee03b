using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 14's speed reference: all-MiniLM-L6-v2 through ONNX Runtime 1.31.1 as an ML.NET user would run it
/// (<see cref="OnnxRuntimeMiniLm"/>: BertTokenizer, batches of 32 texts sorted by length, at most 256 tokens,
/// 2 intra-op threads, mean pooling and L2 normalization), its frozen vectors fed to SdcaMaximumEntropy through
/// LoadFromEnumerable and a cache checkpoint.
/// Training time = featurizing the training texts (raw text to vectors, tokenization included) + SDCA's Fit;
/// scoring time = featurizing the test texts + SDCA's Transform. The featurization alone is reported in Notes for
/// both halves, with the matrix-multiply rate it implies (<see cref="BertCost"/>). Creating the InferenceSession
/// (reading and optimizing model.onnx, about a second) is printed but not in either figure.
/// </summary>
public sealed class OnnxRuntimeMiniLmSdcaSystem : IBenchmarkSystem
{
    private const int Threads = 2;

    public string Name => "onnxruntime-minilm-sdca";

    public BenchmarkResult Run(Corpus corpus, TextWriter log)
    {
        string folder = MiniLmModel.Folder(Program.DataDirectory);
        var ml = new MLContext(seed: 1);
        bool peaksSeparate = Measure.ResetPeakMemory();

        OnnxRuntimeMiniLm encoder = null!;
        double sessionSeconds = Measure.Seconds(() => encoder = new OnnxRuntimeMiniLm(folder, Threads));
        using var owned = encoder;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Name}] InferenceSession created in {sessionSeconds:F1} s (not timed below)"));
        string longest = corpus.Train.Concat(corpus.Test).MaxBy(d => d.Text.Length)!.Text;
        log.WriteLine($"[{Name}] {encoder.TruncationReport(longest)}");

        // Fit: training texts → vectors → SDCA.
        float[][] trainVectors = null!;
        int[] trainTokens = null!;
        double trainFeaturizeSeconds = Measure.Seconds(() => trainVectors = encoder.Embed(corpus.Train.Select(d => d.Text).ToArray(), out trainTokens));
        ITransformer model = null!;
        double sdcaSeconds = Measure.Seconds(() =>
        {
            IDataView train = ml.Data.LoadFromEnumerable(corpus.Train.Select((d, i) => new VectorRow { Label = d.Label, Features = trainVectors[i] }));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .AppendCacheCheckpoint(ml)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
            model = pipeline.Fit(train);
        });
        long fitPeak = Measure.PeakMemoryBytes();
        trainVectors = null!;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Name}] training texts featurized in {trainFeaturizeSeconds:F1} s ({corpus.Train.Count / trainFeaturizeSeconds:F1} docs/s, {BertCost.Describe(BertCost.Flops(trainTokens), trainFeaturizeSeconds)}), SDCA fit {sdcaSeconds:F1} s"));

        // Scoring: test texts → vectors → SDCA's predicted label.
        if (peaksSeparate)
        {
            Measure.ResetPeakMemory();
        }
        int[] testTokens = null!;
        double testFeaturizeSeconds = 0;
        var predicted = new List<string>(corpus.Test.Count);
        double scoreSeconds = Measure.Seconds(() =>
        {
            float[][] testVectors = null!;
            testFeaturizeSeconds = Measure.Seconds(() => testVectors = encoder.Embed(corpus.Test.Select(d => d.Text).ToArray(), out testTokens));
            IDataView test = ml.Data.LoadFromEnumerable(corpus.Test.Select((d, i) => new VectorRow { Label = d.Label, Features = testVectors[i] }));
            foreach (Prediction row in ml.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: true))
            {
                predicted.Add(row.PredictedText);
            }
        });
        long scorePeak = Measure.PeakMemoryBytes();
        (double accuracy, double macro) = Measure.Accuracy(corpus.Test.Select(d => d.Label).ToList(), predicted);
        string testRate = BertCost.Describe(BertCost.Flops(testTokens), testFeaturizeSeconds);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Name}] test texts featurized in {testFeaturizeSeconds:F1} s ({corpus.Test.Count / testFeaturizeSeconds:F1} docs/s, {testRate}); accuracy {accuracy:P2}, macro {macro:P2}"));

        string peaks = peaksSeparate
            ? string.Create(CultureInfo.InvariantCulture, $"peak memory fit {Mib(fitPeak)} MiB, scoring {Mib(scorePeak)} MiB")
            : string.Create(CultureInfo.InvariantCulture, $"peak memory (fit and scoring together) {Mib(scorePeak)} MiB");
        string notes = string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime 1.31.1, {Threads} intra-op threads, BertTokenizer, batches of {OnnxRuntimeMiniLm.BatchSize} sorted by length, ≤{OnnxRuntimeMiniLm.MaximumTokens} tokens "
            + $"(mean {trainTokens.Concat(testTokens).Average():F0}), mean pooling + L2 → SDCA. Featurization (text → vector): "
            + $"train {corpus.Train.Count / trainFeaturizeSeconds:F1} docs/s, test {corpus.Test.Count / testFeaturizeSeconds:F1} docs/s = {testRate}; "
            + $"SDCA fit {sdcaSeconds:F1} s; {peaks}");
        return new BenchmarkResult(Name, corpus.Name, corpus.Train.Count, corpus.Test.Count, accuracy, macro,
            trainFeaturizeSeconds + sdcaSeconds, scoreSeconds, null, Math.Max(fitPeak, scorePeak), notes);
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture);

    private sealed class VectorRow
    {
        public string Label { get; set; } = "";

        [VectorType(OnnxRuntimeMiniLm.Dimension)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class Prediction
    {
        public string PredictedText { get; set; } = "";
    }
}

/// <summary>
/// <c>--scenario minilm-ids</c>: writes the inputs of benchmarks/reference/minilm_finetune.py into
/// <c>&lt;data dir&gt;/minilm/</c>, so the PyTorch reference sees exactly the ids the ONNX Runtime system feeds:
/// <c>ids-train.txt</c> and <c>ids-test.txt</c> (one line per document of train.jsonl / test.jsonl, in order, the
/// ids separated by spaces, [CLS] ... [SEP], at most 256), and <c>check.jsonl</c> (for <c>--check</c>: a few test
/// documents' ids with ONNX Runtime's pooled, normalized vector, one JSON object per line).
/// </summary>
public static class MiniLmIdsScenario
{
    public static int Run(Corpus corpus, TextWriter log, int checkDocuments = 16)
    {
        string folder = MiniLmModel.Folder(Program.DataDirectory);
        using var encoder = new OnnxRuntimeMiniLm(folder, threads: 2);
        var watch = Stopwatch.StartNew();
        foreach ((string file, IReadOnlyList<Document> documents) in new[] { ("ids-train.txt", corpus.Train), ("ids-test.txt", corpus.Test) })
        {
            using var writer = new StreamWriter(Path.Combine(folder, file), false, new UTF8Encoding(false)) { NewLine = "\n" };
            foreach (Document d in documents)
            {
                writer.WriteLine(string.Join(' ', encoder.Ids(d.Text)));
            }
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote ids of {corpus.Train.Count} + {corpus.Test.Count} documents to {folder} in {watch.Elapsed.TotalSeconds:F1} s"));

        // Check documents: the first ones of the test set plus the longest (cut at 256 tokens), each run alone and
        // then all together in one padded batch, so the check covers truncation and the attention mask.
        var chosen = corpus.Test.Take(checkDocuments - 1).Append(corpus.Test.MaxBy(d => d.Text.Length)!).Select(d => encoder.Ids(d.Text)).ToArray();
        float[][] together = encoder.Run(chosen);
        double worst = 0;
        using (var writer = new StreamWriter(Path.Combine(folder, "check.jsonl"), false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            for (int i = 0; i < chosen.Length; i++)
            {
                float[] alone = encoder.Run(new[] { chosen[i] })[0];
                worst = Math.Max(worst, alone.Zip(together[i], (a, b) => Math.Abs(a - b)).Max());
                writer.WriteLine(JsonSerializer.Serialize(new { ids = chosen[i], vector = alone }));
            }
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {chosen.Length} check vectors (token counts {string.Join(',', chosen.Select(c => c.Length))}); alone vs padded batch: max abs diff {worst:E1}"));
        return 0;
    }
}
