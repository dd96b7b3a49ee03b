using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class DistributionTests
{
    [TestMethod]
    public void SoftMatchesHandValues()
    {
        using var scope = NewDisposeScope();
        using var soft = new SoftDistribution();
        AssertClose(new[] { 0.25, 0.75 }, soft.Normalize(Doubles(new[] { 0.0, Math.Log(3) }, 1, 1, 2), null));
        AssertClose(new[] { 0.25, 0.25, 0.25, 0.25 }, soft.Normalize(Doubles(new double[] { 7, 7, 7, 7 }, 1, 4), null));
    }

    [TestMethod]
    public void SoftGivesExactZerosAtMaskedPositions()
    {
        using var scope = NewDisposeScope();
        using var soft = new SoftDistribution();
        // Row 0: positions 2, 3 masked; row 1: position 0 masked.
        var scores = Doubles(new double[] { 0, Math.Log(3), 50, -3, 9, 1, 1, 1 }, 2, 4);
        var mask = Bools(new[] { true, true, false, false, false, true, true, true }, 2, 4);
        var weights = Values(soft.Normalize(scores, mask));
        CollectionAssert.AreEqual(new[] { 0.0, 0.0, 0.0 }, new[] { weights[2], weights[3], weights[4] });
        AssertClose(new[] { 0.25, 0.75, 0, 0, 0, 1 / 3.0, 1 / 3.0, 1 / 3.0 }, soft.Normalize(scores, mask));
    }

    [TestMethod]
    public void SoftFullyMaskedRowIsZeroInForwardAndBackward()
    {
        using var scope = NewDisposeScope();
        using var soft = new SoftDistribution();
        var scores = Doubles(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3).requires_grad_();
        var mask = Bools(new[] { true, false, true, false, false, false }, 2, 3);
        var weights = soft.Normalize(scores, mask);
        var row0 = Softmax(1, 3);
        AssertClose(new[] { row0[0], 0, row0[1], 0, 0, 0 }, weights);

        var coefficients = Doubles(new double[] { 1, -2, 3, 0.5, 4, -1 }, 2, 3);
        (weights * coefficients).sum().backward();
        var grad = Values(scores.grad!);
        Assert.IsTrue(grad.All(double.IsFinite));
        // d/ds_j Σ c_i w_i = w_j (c_j - Σ c_i w_i) over the allowed positions, 0 elsewhere.
        var mean = row0[0] * 1 + row0[1] * 3;
        AssertClose(new[] { row0[0] * (1 - mean), 0, row0[1] * (3 - mean), 0, 0, 0 }, scores.grad!);
        Assert.AreEqual(0.0, grad[1]);
        Assert.IsTrue(grad.Skip(3).All(g => g == 0.0));
    }

    [TestMethod]
    public void SoftFullyMaskedRowHasNoNaNInFloat32Either()
    {
        using var scope = NewDisposeScope();
        using var soft = new SoftDistribution();
        var scores = tensor(new float[] { 1e30f, -1e30f, 3, 4 }, new long[] { 2, 2 }).requires_grad_();
        var weights = soft.Normalize(scores, Bools(new[] { false, false, true, true }, 2, 2));
        weights.sum().backward();
        AssertAllFinite(weights);
        AssertAllFinite(scores.grad!);
        Assert.AreEqual(0.0, Values(weights)[0]);
        Assert.AreEqual(0.0, Values(weights)[1]);
    }

    [TestMethod]
    public void HardEvalIsOneHotArgmaxOverAllowedPositions()
    {
        using var scope = NewDisposeScope();
        using var hard = new HardDistribution(temperature: 0.5);
        hard.eval();
        var scores = Doubles(new double[] { 1, 5, 3, 2, 1, 0, 0, 4, 1 }, 3, 3);
        var mask = Bools(new[] { true, false, true, false, false, false, true, true, true }, 3, 3);
        CollectionAssert.AreEqual(new double[] { 0, 0, 1, 0, 0, 0, 0, 1, 0 }, Values(hard.Normalize(scores, mask)));
        CollectionAssert.AreEqual(new double[] { 0, 1, 0, 1, 0, 0, 0, 1, 0 }, Values(hard.Normalize(scores, null)));
    }

    [TestMethod]
    public void HardTrainingStraightThroughIsExactOneHotOfAllowedPositions()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        using var hard = new HardDistribution(temperature: 1.0, straightThrough: true, generator);
        hard.train();
        const int rows = 2000;
        // Scores [0, ln 3, 10, 0] with positions 2 and 3 masked: Gumbel-max picks position 1 with probability 3/4.
        var scores = Doubles(Enumerable.Repeat(new[] { 0.0, Math.Log(3), 10.0, 0.0 }, rows).SelectMany(r => r).ToArray(), rows, 4);
        var mask = Bools(new[] { true, true, false, false }, 4);
        var weights = Values(hard.Normalize(scores, mask));
        var picks = new int[4];
        for (var r = 0; r < rows; r++)
        {
            var row = weights.Skip(r * 4).Take(4).ToArray();
            Assert.IsTrue(row.All(w => w == 0.0 || w == 1.0), $"Row {r} is not one-hot: {string.Join(", ", row)}");
            Assert.AreEqual(1.0, row.Sum());
            picks[Array.IndexOf(row, 1.0)]++;
        }
        Assert.AreEqual(0, picks[2] + picks[3]);
        Assert.AreEqual(0.75, picks[1] / (double)rows, 0.04);

        var fullyMasked = hard.Normalize(Doubles(new double[] { 1, 2 }, 1, 2), Bools(new[] { false, false }, 1, 2));
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, Values(fullyMasked));
    }

    [TestMethod]
    public void HardTrainingIsReproducibleWithSeededGenerator()
    {
        using var scope = NewDisposeScope();
        var scores = zeros(50, 6, dtype: ScalarType.Float64);
        using var first = new HardDistribution(1.0, true, new Generator(42));
        using var second = new HardDistribution(1.0, true, new Generator(42));
        AssertClose(Values(first.Normalize(scores, null)), second.Normalize(scores, null), 0.0);
    }

    [TestMethod]
    public void GradientsFlowThroughSoftGumbelAndStraightThrough()
    {
        using var scope = NewDisposeScope();
        var coefficients = Doubles(new double[] { 1, -2, 3, 0.5, 4, -1 }, 2, 3);
        var mask = Bools(new[] { true, true, true, true, false, true }, 2, 3);
        AttentionDistribution[] distributions =
        {
            new SoftDistribution(),
            new HardDistribution(1.0, straightThrough: false, new Generator(3)),
            new HardDistribution(1.0, straightThrough: true, new Generator(3)),
        };
        foreach (var distribution in distributions)
        {
            distribution.train();
            var scores = Doubles(new double[] { 0.1, 0.2, -0.3, 0.5, 0.4, -0.2 }, 2, 3).requires_grad_();
            (distribution.Normalize(scores, mask) * coefficients).sum().backward();
            var grad = Values(scores.grad!);
            Assert.IsTrue(grad.All(double.IsFinite), distribution.GetType().Name);
            Assert.IsTrue(grad.Any(g => g != 0.0), distribution.GetType().Name);
            Assert.AreEqual(0.0, grad[4], distribution.GetType().Name);
            distribution.Dispose();
        }
    }

    [TestMethod]
    public void LocalMonotonicRestrictsToWindowAroundQueryIndex()
    {
        using var scope = NewDisposeScope();
        using var local = new LocalDistribution(halfWidth: 1);
        double[] rowScores = { 0.3, -1, 2, 0.5, 1.5 };
        var scores = Doubles(Enumerable.Repeat(rowScores, 4).SelectMany(r => r).ToArray(), 4, 5);
        var expected = new double[20];
        for (var t = 0; t < 4; t++)
        {
            var lo = Math.Max(0, t - 1);
            var hi = Math.Min(4, t + 1);
            var window = Softmax(rowScores[lo..(hi + 1)]);
            for (var j = lo; j <= hi; j++)
                expected[t * 5 + j] = window[j - lo];
        }
        var weights = local.Normalize(scores, null);
        AssertClose(expected, weights);
        var values = Values(weights);
        for (var i = 0; i < 20; i++)
        {
            if (expected[i] == 0.0)
                Assert.AreEqual(0.0, values[i], $"Element {i} outside the window.");
        }
    }

    [TestMethod]
    public void LocalMonotonicHonorsExplicitCentersAndMask()
    {
        using var scope = NewDisposeScope();
        using var local = new LocalDistribution(halfWidth: 1);
        var scores = Doubles(new double[] { 0.3, -1, 2, 0.5, 1.5 }, 1, 1, 5);
        // Center 2.5: window {2, 3}; center 1 with position 2 masked: {0, 1}.
        var atCenter = local.Normalize(scores, null, Doubles(new[] { 2.5 }, 1, 1));
        var expected = Softmax(2, 0.5);
        AssertClose(new[] { 0, 0, expected[0], expected[1], 0 }, atCenter);
        var masked = local.Normalize(scores, Bools(new[] { true, true, false, true, true }, 1, 1, 5), Doubles(new[] { 1.0 }, 1, 1));
        expected = Softmax(0.3, -1);
        AssertClose(new[] { expected[0], expected[1], 0, 0, 0 }, masked);
    }

    [TestMethod]
    public void LocalPredictiveMatchesLuongWithHandComputedCenter()
    {
        using var scope = NewDisposeScope();
        using var local = new LocalPredictiveDistribution(queryDim: 2, halfWidth: 2, hiddenSize: 2).to(ScalarType.Float64);
        double[,] wp = { { 0.5, -0.25 }, { 1, 0.5 } };
        double[] vp = { 1.5, -0.5 };
        Set(local.PositionWeight, new[] { 0.5, -0.25, 1, 0.5 });
        Set(local.PositionVector, vp);
        double[] q = { 1, 2 };
        double[] rowScores = { 0.2, 1, -0.5, 0.7, 3, 0.1, 5 };
        var allowed = new[] { true, true, true, true, true, false, false }; // S = 5 - 1 = 4

        var pre = 0.0;
        for (var h = 0; h < 2; h++)
            pre += vp[h] * Math.Tanh(wp[h, 0] * q[0] + wp[h, 1] * q[1]);
        var center = 4 / (1 + Math.Exp(-pre));
        Assert.AreEqual(1.5272, center, 1e-4); // pre = -0.5 tanh(2): the window is {0, 1, 2, 3}.

        var scores = Doubles(rowScores, 1, 1, 7);
        var mask = Bools(allowed, 1, 1, 7);
        var query = Doubles(q, 1, 1, 2);
        AssertClose(new[] { center }, local.PredictCenters(scores, mask, query));

        var soft = Softmax(rowScores[0..4]);
        var expected = new double[7];
        for (var j = 0; j < 4; j++)
            expected[j] = soft[j] * Math.Exp(-(j - center) * (j - center) / 2.0); // σ = D / 2 = 1
        var weights = local.Normalize(scores, mask, query);
        AssertClose(expected, weights);
        Assert.IsTrue(Values(weights).Skip(4).All(w => w == 0.0));
        Assert.IsLessThan(1.0, Values(weights).Sum());

        // The Gaussian makes the center, and so W_p and v_p, trainable.
        weights.sum().backward();
        Assert.IsTrue(Values(local.PositionWeight.grad!).Any(g => g != 0.0));
        Assert.ThrowsExactly<InvalidOperationException>(() => local.Normalize(scores, mask));
    }

    [TestMethod]
    public void LocalPredictiveWithoutMaskUsesWholeSequence()
    {
        using var scope = NewDisposeScope();
        using var local = new LocalPredictiveDistribution(queryDim: 1, halfWidth: 1, hiddenSize: 1).to(ScalarType.Float64);
        Set(local.PositionWeight, new[] { 1.0 });
        Set(local.PositionVector, new[] { 1.0 });
        var centers = local.PredictCenters(zeros(1, 2, 5, dtype: ScalarType.Float64), null, Doubles(new[] { 0.0, 100.0 }, 1, 2, 1));
        AssertClose(new[] { 4 * 0.5, 4 / (1 + Math.Exp(-Math.Tanh(100))) }, centers);
    }

    [TestMethod]
    public void FactoryCreatesEachDistribution()
    {
        using var scope = NewDisposeScope();
        Assert.IsInstanceOfType<SoftDistribution>(AttentionDistributions.Create(AttentionDistributionKind.Soft, 4, 2, 1.0, null));
        var hard = AttentionDistributions.Create(AttentionDistributionKind.Hard, 4, 2, 0.5, null);
        Assert.IsInstanceOfType<HardDistribution>(hard);
        Assert.AreEqual(0.5, ((HardDistribution)hard).Temperature);
        Assert.AreEqual(2L, ((LocalDistribution)AttentionDistributions.Create(AttentionDistributionKind.Local, 4, 2, 1.0, null)).HalfWidth);
        var localP = AttentionDistributions.Create(AttentionDistributionKind.LocalPredictive, 4, 3, 1.0, null);
        Assert.IsTrue(localP.RequiresQuery);
        Assert.AreEqual(3L, ((LocalPredictiveDistribution)localP).HalfWidth);
    }
}
