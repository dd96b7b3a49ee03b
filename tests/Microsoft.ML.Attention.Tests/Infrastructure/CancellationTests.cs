using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// MLContext.CancelExecution during training, from the progress callback in the middle of epoch 2: Fit throws
/// OperationCanceledException and no later batch or epoch runs, for each of the three components.
/// </summary>
[TestClass]
public sealed class CancellationTests
{
    /// <summary>Progress reports seen, and a callback that cancels <paramref name="ml"/> at epoch 2, batch 2.</summary>
    private sealed class Canceller
    {
        private readonly MLContext _ml;
        public readonly List<TrainingProgress> Reports = new();
        public int ReportsAfterCancel { get; private set; }
        private bool _cancelled;

        public Canceller(MLContext ml) => _ml = ml;

        public void OnProgress(TrainingProgress progress)
        {
            if (_cancelled)
                ReportsAfterCancel++;
            Reports.Add(progress);
            if (progress.Epoch == 2 && progress.Batch == 2 && !_cancelled)
            {
                _cancelled = true;
                Cancel(_ml);
            }
        }

        // MLContext.CancelExecution is internal in ML.NET 5 (public through Microsoft.ML.Experimental, not served here).
        public static void Cancel(MLContext ml)
            => typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .Invoke(ml, null);

        public void AssertStoppedAtOnce(Action fit, int epochs)
        {
            Assert.Throws<OperationCanceledException>(fit);
            Assert.IsTrue(_cancelled, "the callback was reached in epoch 2");
            Assert.AreEqual(0, ReportsAfterCancel, "no batch ran after the cancellation");
            Assert.AreEqual(2, Reports.Max(r => r.Epoch), $"no epoch after the second of {epochs}");
        }
    }

    [TestMethod]
    public void PoolingStopsMidTraining()
    {
        var ml = new MLContext(seed: 1);
        var canceller = new Canceller(ml);
        var options = PoolingBehaviourTests.Fast();
        options.NumberOfEpochs = 5;
        options.EarlyStoppingPatience = 5;
        options.Progress = canceller.OnProgress;
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(200, 2, seed: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionPooling(options));
        canceller.AssertStoppedAtOnce(() => pipeline.Fit(data), options.NumberOfEpochs);
    }

    [TestMethod]
    public void HierarchicalAttentionStopsMidTraining()
    {
        var ml = new MLContext(seed: 2);
        var canceller = new Canceller(ml);
        var options = HanTestSettings.Small(epochs: 5);
        options.Progress = canceller.OnProgress;
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(160, seed: 2));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options));
        canceller.AssertStoppedAtOnce(() => pipeline.Fit(data), options.NumberOfEpochs);
    }

    [TestMethod]
    public void FeaturizerStopsMidTraining()
    {
        var ml = new MLContext(seed: 3);
        var canceller = new Canceller(ml);
        var options = FeaturizerTestSettings.Small(epochs: 5);
        options.Progress = canceller.OnProgress;
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(160, seed: 3));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.SelfAttentionFeaturize(options));
        canceller.AssertStoppedAtOnce(() => pipeline.Fit(data), options.NumberOfEpochs);
    }

    [TestMethod]
    public void PretrainedFineTuningStopsMidTrainingAndReportsTimeLeft()
    {
        var folder = Pretrained.RandomBert.Write(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"random-bert-cancel-{Guid.NewGuid():N}"));
        try
        {
            var ml = new MLContext(seed: 4);
            var canceller = new Canceller(ml);
            var options = Pretrained.PretrainedEncoderTests.FineTuning(folder, epochs: 5);
            options.EarlyStoppingPatience = 5;
            options.Progress = canceller.OnProgress;
            var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(160, seed: 4));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options));
            canceller.AssertStoppedAtOnce(() => pipeline.Fit(data), options.NumberOfEpochs);
            // Time left: the rest of 5 epochs at the pace so far, so it is positive before the end. Its size is a timing and
            // is not compared: on a loaded machine the pace of later batches differs from the first's by any factor.
            var first = canceller.Reports[0];
            var last = canceller.Reports[^1];
            Assert.IsTrue(first.TimeLeft > TimeSpan.Zero, "time left after the first batch");
            Assert.IsTrue(last.TimeLeft > TimeSpan.Zero, $"time left {last.TimeLeft} at the cancellation");
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
