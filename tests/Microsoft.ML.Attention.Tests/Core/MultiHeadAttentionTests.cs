using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class MultiHeadAttentionTests
{
    [TestMethod]
    public void ShapesAndRowSums()
    {
        foreach (var scoreFunction in new[]
        {
            AttentionScoreFunction.Dot, AttentionScoreFunction.ScaledDot, AttentionScoreFunction.General,
            AttentionScoreFunction.Additive, AttentionScoreFunction.Cosine,
        })
        {
            using var scope = NewDisposeScope();
            random.manual_seed(1);
            using var attention = new MultiHeadAttention(modelDim: 8, heads: 2, scoreFunction: scoreFunction).to(ScalarType.Float64);
            attention.eval();
            var query = randn(3, 4, 8, dtype: ScalarType.Float64);
            var keys = randn(3, 5, 8, dtype: ScalarType.Float64);
            var (output, weights) = attention.Forward(query, keys, keys, null, null);
            AssertShape(output, 3, 4, 8);
            AssertShape(weights, 3, 2, 4, 5);
            AssertClose(Enumerable.Repeat(1.0, 3 * 2 * 4).ToArray(), weights.sum(-1), 1e-12);
        }
    }

    [TestMethod]
    public void PaddedKeysGetZeroWeightAndDoNotChangeTheOutput()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        using var attention = new MultiHeadAttention(modelDim: 6, heads: 3).to(ScalarType.Float64);
        attention.eval();
        var query = randn(2, 3, 6, dtype: ScalarType.Float64);
        var keys = randn(2, 4, 6, dtype: ScalarType.Float64);
        var values = randn(2, 4, 6, dtype: ScalarType.Float64);
        var (output, _) = attention.Forward(query, keys, values, null, null);

        // Append two padding keys with large garbage keys and values.
        var garbage = full(2, 2, 6, 1e6, dtype: ScalarType.Float64);
        var paddedKeys = cat(new[] { keys, garbage }, 1);
        var paddedValues = cat(new[] { values, -garbage }, 1);
        var paddingMask = Masking.FromLengths(tensor(new long[] { 4, 4 }), 6);
        var (paddedOutput, paddedWeights) = attention.Forward(query, paddedKeys, paddedValues, paddingMask, null);

        AssertShape(paddedWeights, 2, 3, 3, 6);
        Assert.IsTrue(Values(paddedWeights.narrow(-1, 4, 2)).All(w => w == 0.0));
        AssertClose(Values(output), paddedOutput, 1e-9);
    }

    [TestMethod]
    public void AttentionMaskRestrictsEachQueryToItsWindow()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var attention = new MultiHeadAttention(modelDim: 4, heads: 2).to(ScalarType.Float64);
        var x = randn(1, 5, 4, dtype: ScalarType.Float64);
        var window = Masking.SlidingWindow(5, 1);
        var padding = Masking.FromLengths(tensor(new long[] { 4 }), 5);
        var (_, weights) = attention.Forward(x, x, x, padding, window);
        var w = Values(weights);
        for (var head = 0; head < 2; head++)
            for (var i = 0; i < 5; i++)
                for (var j = 0; j < 5; j++)
                {
                    var value = w[(head * 5 + i) * 5 + j];
                    if (Math.Abs(i - j) > 1 || j == 4)
                        Assert.AreEqual(0.0, value, $"head {head}, query {i}, key {j}");
                    else
                        Assert.IsGreaterThan(0.0, value);
                }
        AssertClose(Enumerable.Repeat(1.0, 10).ToArray(), weights.sum(-1), 1e-12);
    }

    [TestMethod]
    public void RejectsInvalidConfigurations()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new MultiHeadAttention(modelDim: 10, heads: 3));
        Assert.ThrowsExactly<ArgumentException>(() => new MultiHeadAttention(8, 2, scoreFunction: AttentionScoreFunction.Location));
        using var scope = NewDisposeScope();
        using var attention = new MultiHeadAttention(8, 2);
        Assert.ThrowsExactly<ArgumentException>(() => attention.Forward(zeros(1, 2, 8), zeros(1, 3, 8), zeros(1, 3, 8), zeros(1, 2, dtype: ScalarType.Bool), null));
        Assert.ThrowsExactly<ArgumentException>(() => attention.Forward(zeros(1, 2, 6), zeros(1, 3, 8), zeros(1, 3, 8), null, null));
    }

    [TestMethod]
    public void CheckpointKeysArePlainFieldNames()
    {
        using var attention = new MultiHeadAttention(4, 2, scoreFunction: AttentionScoreFunction.General);
        var names = attention.named_parameters().Select(p => p.name).ToArray();
        foreach (var expected in new[]
        {
            "query_projection.weight", "query_projection.bias", "key_projection.weight", "value_projection.weight",
            "output_projection.weight", "output_projection.bias", "score.key_projection.weight",
        })
        {
            CollectionAssert.Contains(names, expected, string.Join(", ", names));
        }
    }
}
