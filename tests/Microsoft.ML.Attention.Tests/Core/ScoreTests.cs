using System;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class ScoreTests
{
    // q = [1, 2]; keys [3, 4] and [-1, 0.5].
    private static Tensor Query() => Doubles(new double[] { 1, 2 }, 1, 1, 2);

    private static Tensor Keys() => Doubles(new double[] { 3, 4, -1, 0.5 }, 1, 2, 2);

    [TestMethod]
    public void DotScoreIsInnerProduct()
    {
        using var scope = NewDisposeScope();
        using var score = new DotScore();
        var scores = score.Score(Query(), Keys());
        AssertShape(scores, 1, 1, 2);
        AssertClose(new[] { 11.0, 0.0 }, scores);
        Assert.IsFalse(score.HasParameters);
    }

    [TestMethod]
    public void ScaledDotScoreDividesBySqrtOfKeyDimension()
    {
        using var scope = NewDisposeScope();
        using var score = new ScaledDotScore();
        AssertClose(new[] { 11.0 / Math.Sqrt(2), 0.0 }, score.Score(Query(), Keys()));
    }

    [TestMethod]
    public void DotScoresEveryQueryAgainstEveryKeyWithLeadingDimensions()
    {
        using var scope = NewDisposeScope();
        using var score = new DotScore();
        // [B=1, heads=2, Tq=2, D=2] and [1, 2, Tk=1, 2].
        var q = Doubles(new double[] { 1, 0, 0, 1, 2, 3, -1, 1 }, 1, 2, 2, 2);
        var k = Doubles(new double[] { 5, 7, 1, -2 }, 1, 2, 1, 2);
        var scores = score.Score(q, k);
        AssertShape(scores, 1, 2, 2, 1);
        AssertClose(new[] { 5.0, 7.0, 2.0 - 6.0, -1.0 - 2.0 }, scores);
    }

    [TestMethod]
    public void DotScoreRejectsDifferentDimensions()
    {
        using var scope = NewDisposeScope();
        using var score = new DotScore();
        Assert.ThrowsExactly<ArgumentException>(() => score.Score(Query(), Doubles(new double[] { 1, 2, 3 }, 1, 1, 3)));
        Assert.ThrowsExactly<ArgumentNullException>(() => score.Score(null, Keys()));
    }

    [TestMethod]
    public void GeneralScoreIsBilinearForm()
    {
        using var scope = NewDisposeScope();
        using var score = new GeneralScore(queryDim: 2, keyDim: 3).to(ScalarType.Float64);
        double[,] w = { { 1, 0, 2 }, { 0.5, -1, 1 } };
        Set(score.Weight, new double[] { 1, 0, 2, 0.5, -1, 1 });
        double[] q = { 1, 2 };
        double[][] keys = { new double[] { 1, 1, 1 }, new double[] { 2, 0, -1 } };
        var expected = new double[2];
        for (var j = 0; j < 2; j++)
            for (var a = 0; a < 2; a++)
                for (var b = 0; b < 3; b++)
                    expected[j] += q[a] * w[a, b] * keys[j][b];
        Assert.AreEqual(4.0, expected[0], Tolerance); // W k = [3, 0.5], q · W k = 3 + 1
        var scores = score.Score(Doubles(q, 1, 1, 2), Doubles(new double[] { 1, 1, 1, 2, 0, -1 }, 1, 2, 3));
        AssertClose(expected, scores);
        Assert.IsTrue(score.HasParameters);
    }

    [TestMethod]
    public void AdditiveScoreIsBahdanau()
    {
        using var scope = NewDisposeScope();
        using var score = new AdditiveScore(queryDim: 2, keyDim: 2, hiddenSize: 3).to(ScalarType.Float64);
        double[,] w = { { 0.1, -0.2 }, { 0.3, 0.4 }, { -0.5, 0.6 } };
        double[,] u = { { 0.7, 0.1 }, { -0.3, 0.2 }, { 0.05, -0.4 } };
        double[] v = { 1.5, -2, 0.5 };
        Set(score.QueryWeight, new[] { 0.1, -0.2, 0.3, 0.4, -0.5, 0.6 });
        Set(score.KeyWeight, new[] { 0.7, 0.1, -0.3, 0.2, 0.05, -0.4 });
        Set(score.ScoreWeight, v);
        double[][] queries = { new double[] { 1, 2 }, new double[] { -1, 0.5 } };
        double[][] keys = { new double[] { 3, 4 }, new double[] { -1, 0.5 }, new double[] { 0, 0 } };
        var expected = new double[6];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var h = 0; h < 3; h++)
                {
                    var pre = w[h, 0] * queries[i][0] + w[h, 1] * queries[i][1] + u[h, 0] * keys[j][0] + u[h, 1] * keys[j][1];
                    expected[i * 3 + j] += v[h] * Math.Tanh(pre);
                }
        var scores = score.Score(Doubles(new double[] { 1, 2, -1, 0.5 }, 1, 2, 2), Doubles(new double[] { 3, 4, -1, 0.5, 0, 0 }, 1, 3, 2));
        AssertShape(scores, 1, 2, 3);
        AssertClose(expected, scores);
    }

    [TestMethod]
    public void CosineScoreIsCosineAndZeroForZeroVectors()
    {
        using var scope = NewDisposeScope();
        using var score = new CosineScore();
        var keys = Doubles(new double[] { 3, 4, -2, -4, 0, 0 }, 1, 3, 2);
        var query = Doubles(new double[] { 1, 2, 0, 0 }, 1, 2, 2).requires_grad_();
        var scores = score.Score(query, keys);
        AssertClose(new[] { 11.0 / (Math.Sqrt(5) * 5), -1.0, 0.0, 0.0, 0.0, 0.0 }, scores);
        scores.sum().backward();
        AssertAllFinite(query.grad!);
    }

    [TestMethod]
    public void LocationScoreUsesContextVectorAndIgnoresQuery()
    {
        using var scope = NewDisposeScope();
        using var score = new LocationScore(keyDim: 2, hiddenSize: 2).to(ScalarType.Float64);
        double[,] w = { { 0.5, -1 }, { 2, 0.25 } };
        double[] b = { 0.1, -0.3 };
        double[] v = { 1.5, -0.75 };
        Set(score.Weight, new[] { 0.5, -1, 2, 0.25 });
        Set(score.Bias, b);
        Set(score.ContextVector, v);
        double[][] keys = { new double[] { 1, 2 }, new double[] { -0.5, 0.3 }, new double[] { 0, 1 } };
        var expected = new double[3];
        for (var j = 0; j < 3; j++)
            for (var h = 0; h < 2; h++)
                expected[j] += v[h] * Math.Tanh(w[h, 0] * keys[j][0] + w[h, 1] * keys[j][1] + b[h]);
        var keyTensor = Doubles(new double[] { 1, 2, -0.5, 0.3, 0, 1 }, 1, 3, 2);

        Assert.IsFalse(score.UsesQuery);
        var scores = score.Score(null, keyTensor);
        AssertShape(scores, 1, 1, 3);
        AssertClose(expected, scores);

        var withQuery = score.Score(Doubles(new double[4], 1, 2, 2), keyTensor);
        AssertShape(withQuery, 1, 2, 3);
        AssertClose(new[] { expected[0], expected[1], expected[2], expected[0], expected[1], expected[2] }, withQuery);
    }

    [TestMethod]
    public void MlpScoreIsTwoLayerPerceptronOverConcatenation()
    {
        foreach (var activation in new[] { MlpActivation.Tanh, MlpActivation.Relu })
        {
            using var scope = NewDisposeScope();
            using var score = new MlpScore(queryDim: 1, keyDim: 2, hiddenSize: 2, activation).to(ScalarType.Float64);
            double[,] w1 = { { 0.5, -1, 0.25 }, { 1.5, 0.5, -2 } };
            double[] b1 = { 0.1, -0.2 };
            double[] w2 = { 2, -1 };
            const double b2 = 0.3;
            Set(score.HiddenWeight, new[] { 0.5, -1, 0.25, 1.5, 0.5, -2 });
            Set(score.HiddenBias, b1);
            Set(score.OutputWeight, w2);
            Set(score.OutputBias, new[] { b2 });
            double[] queries = { 1, -2 };
            double[][] keys = { new double[] { 1, 2 }, new double[] { -0.5, 0.3 }, new double[] { 0, 1 } };
            Func<double, double> act = activation == MlpActivation.Tanh ? Math.Tanh : x => Math.Max(0, x);
            var expected = new double[6];
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 3; j++)
                {
                    expected[i * 3 + j] = b2;
                    for (var h = 0; h < 2; h++)
                        expected[i * 3 + j] += w2[h] * act(w1[h, 0] * queries[i] + w1[h, 1] * keys[j][0] + w1[h, 2] * keys[j][1] + b1[h]);
                }
            var scores = score.Score(Doubles(queries, 1, 2, 1), Doubles(new double[] { 1, 2, -0.5, 0.3, 0, 1 }, 1, 3, 2));
            AssertShape(scores, 1, 2, 3);
            AssertClose(expected, scores);
        }
    }

    [TestMethod]
    public void QueryFreeMlpScoreUsesKeysOnly()
    {
        using var scope = NewDisposeScope();
        using var score = new MlpScore(queryDim: 0, keyDim: 2, hiddenSize: 1).to(ScalarType.Float64);
        Set(score.HiddenWeight, new[] { 1.0, -1.0 });
        Set(score.HiddenBias, new[] { 0.5 });
        Set(score.OutputWeight, new[] { 2.0 });
        Set(score.OutputBias, new[] { -1.0 });
        Assert.IsFalse(score.UsesQuery);
        var scores = score.Score(null, Doubles(new double[] { 1, 2, 3, 0.5 }, 1, 2, 2));
        AssertShape(scores, 1, 1, 2);
        AssertClose(new[] { 2 * Math.Tanh(-0.5) - 1, 2 * Math.Tanh(3) - 1 }, scores);
    }

    [TestMethod]
    public void FactoryCreatesEachScoreWithDeterministicInitialization()
    {
        using var scope = NewDisposeScope();
        Assert.IsInstanceOfType<DotScore>(AttentionScores.Create(AttentionScoreFunction.Dot, 4, 4, 8));
        Assert.IsInstanceOfType<ScaledDotScore>(AttentionScores.Create(AttentionScoreFunction.ScaledDot, 4, 4, 8));
        Assert.IsInstanceOfType<GeneralScore>(AttentionScores.Create(AttentionScoreFunction.General, 4, 3, 8));
        Assert.IsInstanceOfType<AdditiveScore>(AttentionScores.Create(AttentionScoreFunction.Additive, 4, 3, 8));
        Assert.IsInstanceOfType<CosineScore>(AttentionScores.Create(AttentionScoreFunction.Cosine, 4, 4, 8));
        Assert.IsInstanceOfType<LocationScore>(AttentionScores.Create(AttentionScoreFunction.Location, 0, 3, 8));
        Assert.IsInstanceOfType<MlpScore>(AttentionScores.Create(AttentionScoreFunction.Mlp, 4, 3, 8));
        Assert.ThrowsExactly<ArgumentException>(() => AttentionScores.Create(AttentionScoreFunction.Dot, 4, 3, 8));

        var keys = randn(2, 5, 3, dtype: ScalarType.Float64);
        var first = ScoreWithSeed(keys);
        var second = ScoreWithSeed(keys);
        AssertClose(Values(first), second, 0.0);

        static Tensor ScoreWithSeed(Tensor keys)
        {
            torch.random.manual_seed(1234);
            using var score = AttentionScores.Create(AttentionScoreFunction.Location, 0, 3, 4).to(ScalarType.Float64);
            return score.Score(null, keys);
        }
    }
}
