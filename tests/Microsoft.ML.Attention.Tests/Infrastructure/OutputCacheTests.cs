using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// A trainer that reads its input many times (SDCA) without a cache checkpoint must cost one encoding of the data,
/// give the scores it gives with the checkpoint, and say once when it does re-encode.
/// </summary>
[TestClass]
public sealed class OutputCacheTests
{
    private static (ITransformer Model, SelfAttentionFeaturizingTransformer Featurizer, List<string> Log) FitFeaturizerSdca(
        List<TextRow> rows, bool checkpoint, int cacheMegabytes = 256, bool checkpointBeforeFeaturizer = false, bool shuffle = false)
    {
        var ml = new MLContext(seed: 7);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var options = FeaturizerTestSettings.Small(epochs: 2);
        options.OutputColumnName = "Features";
        options.OutputCacheMegabytes = cacheMegabytes;
        IEstimator<ITransformer> pipeline = ml.Transforms.Conversion.MapValueToKey("Label");
        if (checkpointBeforeFeaturizer)
            pipeline = pipeline.AppendCacheCheckpoint(ml);
        pipeline = pipeline.Append(ml.Transforms.Text.SelfAttentionFeaturize(options));
        if (checkpoint)
            pipeline = pipeline.AppendCacheCheckpoint(ml);
        // One thread and a fixed order: SDCA itself is then deterministic, so any difference comes from the features.
        var model = pipeline.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            NumberOfThreads = 1, Shuffle = shuffle, MaximumNumberOfIterations = 15,
        })).Fit(ml.Data.LoadFromEnumerable(rows));
        var featurizer = Flatten(model).OfType<SelfAttentionFeaturizingTransformer>().Single();
        return (model, featurizer, log);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { transformer };

    private static List<float[]> Scores(ITransformer model, List<TextRow> rows)
        => ColumnAssert.Vectors(model.Transform(new MLContext(seed: 1).Data.LoadFromEnumerable(rows)), "Score");

    [TestMethod]
    public void SdcaWithoutCheckpointEncodesOnceAndScoresAsWithIt()
    {
        var rows = OrderTask.Generate(300, seed: 11);
        var (withCheckpoint, cachedFeaturizer, _) = FitFeaturizerSdca(rows, checkpoint: true);
        var (without, featurizer, log) = FitFeaturizerSdca(rows, checkpoint: false);

        Assert.AreEqual(rows.Count, cachedFeaturizer.OutputCache.RowsScored, "with the checkpoint: one encoding");
        Assert.AreEqual(rows.Count, featurizer.OutputCache.RowsScored, "without the checkpoint the output cache must give one encoding too");
        Assert.IsTrue(featurizer.OutputCache.CachedBytes > 0 && featurizer.OutputCache.CachedBytes <= 256L << 20);
        Assert.IsFalse(log.Any(m => m.Contains("AppendCacheCheckpoint")), "nothing was encoded twice, so nothing to warn about");
        ColumnAssert.AreEqual(Scores(withCheckpoint, rows), Scores(without, rows), "SDCA's scores with and without the checkpoint");
    }

    [TestMethod]
    public void WithTheCacheOffEveryPassEncodesAgainAndTheLogSaysSoOnce()
    {
        var rows = OrderTask.Generate(200, seed: 12);
        var (cached, _, _) = FitFeaturizerSdca(rows, checkpoint: false);
        var (uncached, featurizer, log) = FitFeaturizerSdca(rows, checkpoint: false, cacheMegabytes: 0);

        Assert.IsTrue(featurizer.OutputCache.RowsScored >= 3L * rows.Count, $"SDCA read {featurizer.OutputCache.RowsScored} rows: several passes expected");
        Assert.AreEqual(0, featurizer.OutputCache.CachedBytes);
        Assert.AreEqual(1, log.Count(m => m.Contains("encoded a second time") && m.Contains("AppendCacheCheckpoint")), string.Join("\n", log.Where(m => m.Contains("encoded"))));
        ColumnAssert.AreEqual(Scores(cached, rows), Scores(uncached, rows), "scores with and without the output cache");
    }

    [TestMethod]
    public void ShuffledPassesAreServedByRowId()
    {
        // A checkpoint before the featurizer makes its input shufflable, so SDCA visits the rows in another order each pass.
        var rows = OrderTask.Generate(200, seed: 13);
        var (cached, featurizer, _) = FitFeaturizerSdca(rows, checkpoint: false, checkpointBeforeFeaturizer: true, shuffle: true);
        var (uncached, _, _) = FitFeaturizerSdca(rows, checkpoint: false, cacheMegabytes: 0, checkpointBeforeFeaturizer: true, shuffle: true);

        Assert.AreEqual(rows.Count, featurizer.OutputCache.RowsScored);
        ColumnAssert.AreEqual(Scores(uncached, rows), Scores(cached, rows), "shuffled SDCA with and without the output cache");
    }

    [TestMethod]
    public void OutputsLargerThanTheBoundAreNotKept()
    {
        var ml = new MLContext(seed: 1);
        // 20,000 rows of 2 floats take about 1.7 MiB with the row keys: over a bound of 1 MiB.
        var rows = SequenceData.Generate(20_000, vectorSize: 2, seed: 5, minLength: 1, maxLength: 3);
        var pooling = ml.Transforms.AttentionPooling("Pooled", "Sequence", 2, mode: PoolingMode.Mean).Fit(ml.Data.LoadFromEnumerable(rows));
        pooling.OutputCacheMegabytes = 1;
        var output = pooling.Transform(ml.Data.LoadFromEnumerable(rows));
        var first = ColumnAssert.Vectors(output, "Pooled");
        var second = ColumnAssert.Vectors(output, "Pooled");
        Assert.AreEqual(2L * rows.Count, pooling.OutputCache.RowsScored, "over the bound, every pass scores");
        Assert.AreEqual(0, pooling.OutputCache.CachedBytes);
        ColumnAssert.AreEqual(first, second, "two passes");
    }

    [TestMethod]
    public void ANegativeBoundIsRejectedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var options = PoolingBehaviourTests.Fast();
        options.OutputCacheMegabytes = -1;
        var error = Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling(options));
        StringAssert.Contains(error.Message, "OutputCacheMegabytes");
    }

    [TestMethod]
    public void ParallelCursorsOverACachedViewAgreeWithScoring()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(3000, vectorSize: 4, seed: 6);
        var pooling = ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
        {
            InputColumnName = "Sequence", OutputColumnName = "Pooled", VectorSize = 4, LabelColumnName = "Label",
            WeightsColumnName = "Weights", NumberOfEpochs = 1, AttentionSize = 8,
        }).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows)));
        var output = pooling.Transform(ml.Data.LoadFromEnumerable(rows));

        // Two cursors, both opened before either has finished, record at once; then four read the published entry at once.
        var recorded = ReadInParallel(output, 2);
        Assert.AreEqual(2L * rows.Count, pooling.OutputCache.RowsScored);
        var served = ReadInParallel(output, 4);
        var weights = ColumnAssert.Vectors(output, "Weights");
        Assert.AreEqual(3L * rows.Count, pooling.OutputCache.RowsScored, "the weights column was not cached: one more pass scores");
        foreach (var result in recorded.Concat(served))
            ColumnAssert.AreEqual(recorded[0], result, "parallel cursors");
        ColumnAssert.AreEqual(recorded[0], ColumnAssert.Vectors(pooling.Transform(ml.Data.LoadFromEnumerable(rows)), "Pooled"), "a fresh view, scored again");
        Assert.HasCount(rows.Count, weights);
    }

    private static List<float[]>[] ReadInParallel(IDataView view, int cursors)
    {
        var column = view.Schema["Pooled"];
        var opened = Enumerable.Range(0, cursors).Select(_ => view.GetRowCursor(new[] { column })).ToList();
        try
        {
            return Task.WhenAll(opened.Select(cursor => Task.Run(() =>
            {
                var getter = cursor.GetGetter<VBuffer<float>>(column);
                var buffer = default(VBuffer<float>);
                var values = new List<float[]>();
                while (cursor.MoveNext())
                {
                    getter(ref buffer);
                    values.Add(buffer.DenseValues().ToArray());
                }
                return values;
            }))).Result;
        }
        finally
        {
            opened.ForEach(c => c.Dispose());
        }
    }
}
