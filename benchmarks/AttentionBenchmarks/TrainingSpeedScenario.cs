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
/// Issue 34: the time of each component's <c>Fit</c> with the library's defaults, the check a change to training is
/// measured against. On the first <c>--train N</c> training documents (default 4000), for each of
/// <c>--components han,featurizer,pooling</c>: the HAN (<c>HierarchicalAttention(label, text)</c>), the featurizer
/// trained from scratch on the label (<c>SelfAttentionFeaturize(out, text, label)</c>) and attention pooling over a
/// sequence of word vectors (the first 64 words of each text, each a fixed pseudo-random 32-float vector of its lower-cased
/// form, so the sequence is a function of the text). <c>--repeat R</c> fits each component R times in turn; each fit
/// is a new <c>MLContext(seed: 1)</c>, so the fits are the same work. Prints seconds, training docs/s (documents x
/// epochs run / seconds) and test accuracy of the HAN. Compare two builds in alternated runs, each process alone.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --corpus imdb --scenario training-speed [--train 4000] [--repeat 2]
/// </summary>
public static class TrainingSpeedScenario
{
    public static string[] Components { get; set; } = { "han", "featurizer", "pooling" };

    public static int Repeat { get; set; } = 1;

    private const int PoolingWords = 64, PoolingVectorSize = 32;

    public static int Run(Corpus corpus, TextWriter log, int trainCount)
    {
        var documents = corpus.Train.Take(trainCount).ToList();
        var test = corpus.Test.Take(Math.Min(1000, corpus.Test.Count)).ToList();
        log.WriteLine($"training-speed on {documents.Count} documents of {corpus.Name}, components {string.Join(",", Components)}, {Repeat} round(s)");
        var seconds = Components.ToDictionary(c => c, _ => new List<double>());
        for (int round = 1; round <= Repeat; round++)
        {
            foreach (string component in Components)
            {
                var (elapsed, epochs, note) = component switch
                {
                    "han" => Han(documents, test),
                    "featurizer" => Featurizer(documents),
                    "pooling" => Pooling(documents),
                    _ => throw new ArgumentException($"Unknown component {component}: han, featurizer, pooling"),
                };
                seconds[component].Add(elapsed);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}, {component}: {elapsed:F1} s, {epochs} epoch(s), {documents.Count * epochs / elapsed:F0} docs/s{note}"));
            }
        }
        log.WriteLine("| Component | Fit seconds (each round) | Peak memory |");
        long peak = Measure.PeakMemoryBytes();
        foreach (string component in Components)
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {component} | {string.Join(" / ", seconds[component].Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))} | {peak / (1 << 20)} MiB (process) |"));
        return 0;
    }

    private static (double Seconds, int Epochs, string Note) Han(List<Document> documents, List<Document> test)
    {
        var (ml, epochs) = Context();
        var train = ml.Data.LoadFromEnumerable(documents.Select(d => TextRow.From(d)));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention("Label", "Text"));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double elapsed = clock.Elapsed.TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test.Select(d => TextRow.From(d)))));
        (model as IDisposable)?.Dispose();
        return (elapsed, epochs.Count, string.Create(CultureInfo.InvariantCulture, $", test accuracy {metrics.MicroAccuracy:P2}"));
    }

    private static (double Seconds, int Epochs, string Note) Featurizer(List<Document> documents)
    {
        var (ml, epochs) = Context();
        var train = ml.Data.LoadFromEnumerable(documents.Select(d => TextRow.From(d)));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        var estimator = ml.Transforms.Text.SelfAttentionFeaturize("Features", "Text", "Label");
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(keyed);
        double elapsed = clock.Elapsed.TotalSeconds;
        model.Dispose();
        return (elapsed, epochs.Count, "");
    }

    private static (double Seconds, int Epochs, string Note) Pooling(List<Document> documents)
    {
        var (ml, epochs) = Context();
        var rows = documents.Select(d => new SequenceRow { Label = d.Label, Sequence = WordVectors(d.Text) }).ToList();
        var definition = SchemaDefinition.Create(typeof(SequenceRow));
        definition[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single);
        var train = ml.Data.LoadFromEnumerable(rows, definition);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        var estimator = ml.Transforms.AttentionPooling("Pooled", nameof(SequenceRow.Sequence), PoolingVectorSize, labelColumnName: "Label");
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(keyed);
        double elapsed = clock.Elapsed.TotalSeconds;
        model.Dispose();
        return (elapsed, epochs.Count, "");
    }

    /// <summary>A new context of seed 1 and the count of epochs its training log reports ("Epoch 2/5: training loss ...").</summary>
    private static (MLContext Context, EpochCounter Epochs) Context()
    {
        var ml = new MLContext(seed: 1);
        var epochs = new EpochCounter();
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal) && e.RawMessage.Contains(": training loss", StringComparison.Ordinal))
                epochs.Count++;
        };
        return (ml, epochs);
    }

    private sealed class EpochCounter
    {
        public int Count { get; set; }
    }

    private static float[] WordVectors(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(PoolingWords).ToArray();
        var values = new float[Math.Max(1, words.Length) * PoolingVectorSize];
        for (int w = 0; w < words.Length; w++)
        {
            var random = new Random(StableHash(words[w].ToLowerInvariant()));
            for (int i = 0; i < PoolingVectorSize; i++)
                values[w * PoolingVectorSize + i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }

    private static int StableHash(string word)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in word)
                hash = (hash ^ c) * 16777619;
            return hash;
        }
    }

    private sealed class SequenceRow
    {
        public string Label { get; set; } = "";
        public float[] Sequence { get; set; } = Array.Empty<float>();
    }
}
