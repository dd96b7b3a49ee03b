using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class AttentionLayerTests
{
    [TestMethod]
    public void ContextIsWeightedSumOfValues()
    {
        using var scope = NewDisposeScope();
        using var layer = new AttentionLayer(new DotScore(), new SoftDistribution());
        layer.eval();
        // q = [1, 0]: scores are the first key coordinates 0, ln 3, 5; the last key is padding.
        var query = Doubles(new double[] { 1, 0 }, 1, 1, 2);
        var keys = Doubles(new[] { 0, 9, Math.Log(3), -4, 5, 1 }, 1, 3, 2);
        var values = Doubles(new double[] { 10, 1, 20, 2, 1000, 1000 }, 1, 3, 2);
        var keyMask = Bools(new[] { true, true, false }, 1, 3);
        var (context, weights) = layer.Forward(query, keys, values, keyMask);
        AssertShape(weights, 1, 1, 3);
        AssertShape(context, 1, 1, 2);
        AssertClose(new[] { 0.25, 0.75, 0 }, weights);
        AssertClose(new[] { 0.25 * 10 + 0.75 * 20, 0.25 * 1 + 0.75 * 2 }, context);
    }

    [TestMethod]
    public void FullyMaskedBatchRowGivesZeroContextWithoutNaN()
    {
        using var scope = NewDisposeScope();
        using var layer = AttentionLayer.Create(AttentionScoreFunction.Additive, AttentionDistributionKind.Soft, 2, 2, 4).to(ScalarType.Float64);
        var query = Doubles(new double[] { 1, 2, -1, 0.5 }, 2, 1, 2).requires_grad_();
        var keys = Doubles(new double[] { 1, 0, 0, 1, 1, 1, 2, 2 }, 2, 2, 2).requires_grad_();
        var values = Doubles(new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 2, 2).requires_grad_();
        var keyMask = Bools(new[] { true, true, false, false }, 2, 2);
        var (context, weights) = layer.Forward(query, keys, values, keyMask);
        AssertAllFinite(context);
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, Values(context).Skip(2).ToArray());
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, Values(weights).Skip(2).ToArray());
        Assert.AreEqual(1.0, Values(weights).Take(2).Sum(), Tolerance);

        context.sum().backward();
        AssertAllFinite(query.grad!);
        AssertAllFinite(keys.grad!);
        AssertAllFinite(values.grad!);
    }

    [TestMethod]
    public void EmptyKeySequenceGivesZeroContext()
    {
        using var scope = NewDisposeScope();
        using var layer = new AttentionLayer(new ScaledDotScore(), new SoftDistribution());
        var (context, weights) = layer.Forward(
            Doubles(new double[] { 1, 2 }, 1, 1, 2), zeros(1, 0, 2, dtype: ScalarType.Float64), zeros(1, 0, 3, dtype: ScalarType.Float64),
            Bools(Array.Empty<bool>(), 1, 0));
        AssertShape(weights, 1, 1, 0);
        AssertShape(context, 1, 1, 3);
        CollectionAssert.AreEqual(new[] { 0.0, 0.0, 0.0 }, Values(context));
    }

    [TestMethod]
    public void QueryFreeLocationAttentionPoolsEachSequence()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var layer = AttentionLayer.Create(AttentionScoreFunction.Location, AttentionDistributionKind.Soft, 0, 3, 4).to(ScalarType.Float64);
        var keys = randn(2, 4, 3, dtype: ScalarType.Float64);
        var keyMask = Masking.FromLengths(tensor(new long[] { 4, 2 }), 4);
        var (context, weights) = layer.Forward(null, keys, keys, keyMask);
        AssertShape(weights, 2, 1, 4);
        AssertShape(context, 2, 1, 3);
        var w = Values(weights);
        Assert.AreEqual(1.0, w.Take(4).Sum(), Tolerance);
        Assert.AreEqual(1.0, w.Skip(4).Take(2).Sum(), Tolerance);
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, w.Skip(6).ToArray());
        AssertClose(Values(weights.matmul(keys)), context);
    }

    [TestMethod]
    public void LocalPredictiveLayerUsesTheQuery()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        using var layer = AttentionLayer.Create(
            AttentionScoreFunction.General, AttentionDistributionKind.LocalPredictive, 3, 3, 0, localHalfWidth: 1).to(ScalarType.Float64);
        var query = randn(2, 3, 3, dtype: ScalarType.Float64);
        var keys = randn(2, 6, 3, dtype: ScalarType.Float64);
        var (context, weights) = layer.Forward(query, keys, keys, null);
        AssertShape(context, 2, 3, 3);
        AssertShape(weights, 2, 3, 6);
        var w = Values(weights);
        Assert.IsTrue(w.All(x => x >= 0 && double.IsFinite(x)));
        for (var row = 0; row < 6; row++)
        {
            var rowWeights = w.Skip(row * 6).Take(6).ToArray();
            Assert.IsLessThanOrEqualTo(1.0 + Tolerance, rowWeights.Sum());
            Assert.IsLessThanOrEqualTo(3, rowWeights.Count(x => x > 0)); // window of half-width 1
        }

        using var queryFree = AttentionLayer.Create(
            AttentionScoreFunction.Location, AttentionDistributionKind.LocalPredictive, 3, 3, 4, localHalfWidth: 1);
        Assert.ThrowsExactly<ArgumentNullException>(() => queryFree.Forward(null, keys.to_type(ScalarType.Float32), keys.to_type(ScalarType.Float32), null));
    }

    [TestMethod]
    public void QueryIsRequiredForQueryScores()
    {
        using var scope = NewDisposeScope();
        using var layer = new AttentionLayer(new DotScore(), new SoftDistribution());
        var keys = zeros(1, 2, 2);
        Assert.ThrowsExactly<ArgumentNullException>(() => layer.Forward(null, keys, keys, null));
        Assert.ThrowsExactly<ArgumentException>(() => layer.Forward(zeros(1, 1, 2), keys, zeros(1, 3, 2), null));
    }
}
