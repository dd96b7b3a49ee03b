using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 21, point 3: scoring from several threads at once. Trains a HAN (defaults) on <c>train</c> documents, then
/// measures, in this order: one thread scoring (a Transform over <c>score</c> documents, and <c>calls</c>
/// PredictionEngine calls; median of five each); the work of <c>threads</c> workers, half Transforms and half
/// PredictionEngines (one engine each, as ML.NET requires), first one after another, then on that many threads at once;
/// one thread again. Prints docs/s before and after, both times of the workers, and the libtorch thread count the
/// calling thread and a fresh thread see afterwards. Scoring must not change state that other
/// calls read: the last phase runs as fast as the first, and both counts are the user's.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario concurrency [--train 1500] [--score 1000] [--calls 250] [--threads 4]
/// </summary>
public static class ConcurrencyScenario
{
    public static int Run(Corpus corpus, TextWriter log, int trainCount, int scoreCount, int calls, int threads)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(corpus.Train.Take(trainCount).Select(d => new Row { Label = d.Label, Text = d.Text }));
        var documents = corpus.Test.Take(scoreCount).Select(d => new Row { Label = d.Label, Text = d.Text }).ToList();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { LabelColumnName = "Label", TextColumnName = "Text" }))
            .Fit(train);
        int userThreads = TorchSharp.torch.get_num_threads();
        log.WriteLine($"concurrency: HAN trained on {trainCount} documents; each worker scores {documents.Count} documents by Transform or makes " +
            $"{calls} PredictionEngine calls; libtorch threads at the start: {userThreads}, {Environment.ProcessorCount} cores");

        void TransformAll()
        {
            var scored = model.Transform(ml.Data.LoadFromEnumerable(documents));
            var column = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
                getter(ref buffer);
        }
        void PredictAll()
        {
            using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
            for (int i = 0; i < calls; i++)
                engine.Predict(documents[i % documents.Count]);
        }
        double Seconds(Action work)
        {
            var clock = Stopwatch.StartNew();
            work();
            return clock.Elapsed.TotalSeconds;
        }
        // Median of five, so one slow pass (a GC, the allocator growing) does not decide the ratio.
        (double Transform, double Predict) OneThread()
        {
            double Median(Action work) => Enumerable.Range(0, 5).Select(_ => Seconds(work)).OrderBy(t => t).ElementAt(2);
            return (documents.Count / Median(TransformAll), calls / Median(PredictAll));
        }
        Action Worker(int k) => k % 2 == 0 ? TransformAll : PredictAll;

        Seconds(TransformAll); // warm-up: first calls pay for JIT and allocator growth
        Seconds(PredictAll);
        var before = OneThread();
        double sequential = Enumerable.Range(0, threads).Sum(k => Seconds(Worker(k)));
        var workers = Enumerable.Range(0, threads).Select(k => new Thread(() => Worker(k)())).ToList();
        double together = Seconds(() =>
        {
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
        });
        var after = OneThread();
        int callerThreads = TorchSharp.torch.get_num_threads(), freshThreads = 0;
        var fresh = new Thread(() =>
        {
            using (var a = TorchSharp.torch.ones(8, 8))
            using (var b = a.matmul(a)) { } // a thread takes its count when it first runs libtorch work
            freshThreads = TorchSharp.torch.get_num_threads();
        });
        fresh.Start();
        fresh.Join();

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| one thread before | Transform {before.Transform:F0} docs/s | PredictionEngine {before.Predict:F0} docs/s |"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {threads} workers' work | one after another {sequential:F2} s | all at once {together:F2} s ({sequential / together:F2}x) |"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| one thread after | Transform {after.Transform:F0} docs/s ({after.Transform / before.Transform:F2}x before) | PredictionEngine {after.Predict:F0} docs/s ({after.Predict / before.Predict:F2}x before) |"));
        log.WriteLine($"libtorch threads afterwards: calling thread {callerThreads}, a fresh thread {freshThreads} (user's: {userThreads})");
        (model as IDisposable)?.Dispose();
        return callerThreads == userThreads && freshThreads == userThreads ? 0 : 1;
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
