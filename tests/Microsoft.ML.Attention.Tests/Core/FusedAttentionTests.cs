using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class FusedAttentionTests
{
    [TestMethod]
    public void MatchesHandComputedValuesAndGivesZerosForRowsWithoutKeys()
    {
        using var scope = NewDisposeScope();
        // One head, D = 2, two queries, three keys. Query 0 may see keys 0 and 1; query 1 sees none.
        var query = Doubles(new[] { 1.0, 0.0, 0.5, 0.5 }, 1, 1, 2, 2);
        var keys = Doubles(new[] { 2.0, 0.0, 0.0, 2.0, 4.0, 4.0 }, 1, 1, 3, 2);
        var values = Doubles(new[] { 1.0, 10.0, 3.0, 20.0, 100.0, 100.0 }, 1, 1, 3, 2);
        var mask = Bools(new[] { true, true, false, false, false, false }, 1, 1, 2, 3);

        var result = FusedAttention.ScaledDotSoftmax(query, keys, values, mask);

        // Query 0: scores q·k / sqrt(2) = [2, 0] / sqrt(2) over the allowed keys.
        var w = Softmax(2.0 / Math.Sqrt(2.0), 0.0);
        AssertClose(new[] { w[0] * 1.0 + w[1] * 3.0, w[0] * 10.0 + w[1] * 20.0, 0.0, 0.0 }, result);
    }

    [TestMethod]
    public void EqualsTheGeneralPathWithPaddingWindowsAndEmptyRowsIncludingGradients()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        var q = randn(3, 2, 6, 4, dtype: ScalarType.Float64).requires_grad_();
        var k = randn(3, 2, 6, 4, dtype: ScalarType.Float64).requires_grad_();
        var v = randn(3, 2, 6, 4, dtype: ScalarType.Float64).requires_grad_();
        // Row lengths 6, 3 and 1 with a window of 1: padded queries far from the real keys see no key at all.
        var padding = Masking.FromLengths(tensor(new long[] { 6, 3, 1 }), 6).reshape(3, 1, 1, 6);
        var mask = Masking.Combine(padding, Masking.SlidingWindow(6, 1).reshape(1, 1, 6, 6))!;
        var upstream = randn(3, 2, 6, 4, dtype: ScalarType.Float64);

        var general = Masking.Softmax(new ScaledDotScore().Score(q, k), mask).matmul(v);
        var generalGradients = autograd.grad(new[] { general }, new[] { q, k, v }, new[] { upstream });
        var fused = FusedAttention.ScaledDotSoftmax(q, k, v, mask);
        var fusedGradients = autograd.grad(new[] { fused }, new[] { q, k, v }, new[] { upstream });

        Assert.IsTrue(Values(mask.logical_not().all(-1)).Any(x => x != 0), "the test needs rows without an allowed key");
        AssertClose(Values(general), fused);
        for (int i = 0; i < 3; i++)
        {
            AssertAllFinite(fusedGradients[i]);
            AssertClose(Values(generalGradients[i]), fusedGradients[i]);
        }
    }

    [TestMethod]
    public void MultiHeadAttendEqualsForwardWithoutWeights()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(12);
        using var attention = new MultiHeadAttention(modelDim: 8, heads: 2).to(ScalarType.Float64);
        attention.eval();
        var x = randn(2, 5, 8, dtype: ScalarType.Float64);
        var padding = Masking.FromLengths(tensor(new long[] { 5, 2 }), 5);
        var window = Masking.SlidingWindow(5, 1);
        AssertClose(Values(attention.Forward(x, x, x, padding, window).output), attention.Attend(x, x, x, padding, window));
        AssertClose(Values(attention.Forward(x, x, x, null, null).output), attention.Attend(x, x, x, null, null));
    }

    [TestMethod]
    public void AttentionDropoutInTrainingKeepsTheGeneralPath()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(13);
        using var attention = new MultiHeadAttention(modelDim: 8, heads: 2, dropout: 0.5).to(ScalarType.Float64);
        attention.train();
        var x = randn(2, 5, 8, dtype: ScalarType.Float64);
        random.manual_seed(14);
        var expected = Values(attention.Forward(x, x, x, null, null).output);
        random.manual_seed(14);
        AssertClose(expected, attention.Attend(x, x, x, null, null), 0.0);
    }

    [TestMethod]
    public void OtherMechanismsKeepTheirOwnScores()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(15);
        using var attention = new MultiHeadAttention(modelDim: 8, heads: 2, scoreFunction: AttentionScoreFunction.Cosine).to(ScalarType.Float64);
        attention.eval();
        var x = randn(2, 5, 8, dtype: ScalarType.Float64);
        AssertClose(Values(attention.Forward(x, x, x, null, null).output), attention.Attend(x, x, x, null, null), 0.0);
    }
}
