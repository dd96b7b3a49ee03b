using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// A training batch cut into parts (forward and backward one part at a time, gradients summed with weights rows/batch
/// rows) takes the step the whole batch takes: fine-tuning on long texts keeps one part's activations alive instead of
/// the batch's, and nothing else changes.
/// </summary>
[TestClass]
public sealed class BatchPartsTests
{
    [TestMethod]
    public void PartsOfABatchTakeTheWholeBatchStep()
    {
        // Two Adam steps with clipping on a small network whose rows have unequal losses, once whole and once in parts
        // of 3, 1 and 4 rows: a step from unweighted or unsummed parts would differ from the whole batch's.
        (float[][] Before, float[][] After) Train(Func<int[], IReadOnlyList<int[]>>? parts)
        {
            using var network = new SmallClassifier(seed: 5);
            var model = network.Model;
            var settings = new TrainingSettings(2, 8, 0.05, 1, 0.5, 1, OptimizerKind.Adam);
            var before = model.parameters().Select(p => p.data<float>().ToArray()).ToArray();
            network.Train(settings, Array.Empty<int>(), _ => default, parts);
            return (before, model.parameters().Select(p => p.data<float>().ToArray()).ToArray());
        }

        var (start, whole) = Train(null);
        var (_, inParts) = Train(batch => new[] { batch[..3], batch[3..4], batch[4..] });
        for (int p = 0; p < whole.Length; p++)
            for (int i = 0; i < whole[p].Length; i++)
                Assert.AreEqual(whole[p][i], inParts[p][i], 1e-6, $"parameter {p}[{i}]");
        Assert.IsTrue(whole.Zip(start).Any(w => w.First.Zip(w.Second).Any(v => Math.Abs(v.First - v.Second) > 1e-3)),
            "the steps moved the weights (a comparison of untrained weights would prove nothing)");
    }

    [TestMethod]
    public void BatchesAreCutWithinTheTokenBudget()
    {
        int[] lengths = { 10, 20, 30, 40, 300, 50 };
        var parts = Batches.WithinTokens(new[] { 0, 1, 2, 3, 4, 5 }, i => lengths[i], budget: 64);
        // 10+20 → 2 rows × 20 = 40; a third row makes 3 × 30 = 90 > 64; 30 and 40 → 2 × 40 = 80 > 64, so alone; the
        // 300-token row is longer than the budget and goes alone; 50 alone after it.
        CollectionAssert.AreEqual(new[] { "0,1", "2", "3", "4", "5" }, parts.Select(p => string.Join(",", p)).ToArray());
        Assert.AreEqual(1, Batches.WithinTokens(new[] { 0, 1, 2, 3 }, i => lengths[i], budget: 4 * 40).Count, "a batch within the budget stays whole");
    }
}
