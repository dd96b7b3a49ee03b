using System;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// The library's optimizers against their update rules computed in double precision, over several steps with changing
/// gradients and rates: AdamW on a parameter long enough to be updated in several slices (the last one partial), Adam
/// (no decay) on a bias, AdamW on double weights (the whole-tensor path), and SGD with momentum.
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    private const int Steps = 3;
    private static readonly double[] Rates = { 0.01, 0.02, 0.005 };

    [TestMethod]
    public void AdamWMatchesItsUpdateRuleAcrossSlices()
    {
        const int length = 600_001; // 2 full slices of 2^18 and a partial one
        const double decay = 0.1;
        var start = Values(length, seed: 1);
        using var weights = new Parameter(tensor(start));
        using var bias = new Parameter(tensor(Values(5, seed: 2)));
        var biasStart = bias.data<float>().ToArray();
        var groups = new[] { new ParameterGroup(new[] { weights }, Rates[0], decay), new ParameterGroup(new[] { bias }, Rates[0], 0) };
        using var optimizer = Optimizer.Create(OptimizerKind.AdamW, groups);

        var expected = new AdamRule(start.Select(v => (double)v).ToArray(), decay);
        var expectedBias = new AdamRule(biasStart.Select(v => (double)v).ToArray(), 0);
        for (int step = 0; step < Steps; step++)
        {
            var gradient = Values(length, seed: 10 + step);
            var biasGradient = Values(5, seed: 20 + step);
            foreach (var group in groups)
                group.LearningRate = Rates[step];
            optimizer.ZeroGradients();
            Backward(weights, gradient);
            Backward(bias, biasGradient);
            optimizer.Step();
            expected.Step(gradient, Rates[step]);
            expectedBias.Step(biasGradient, Rates[step]);
        }

        AssertClose(expected.Weights, weights.data<float>().ToArray(), "AdamW weights");
        AssertClose(expectedBias.Weights, bias.data<float>().ToArray(), "Adam bias");
    }

    // Weights that are not contiguous float32 take the whole-tensor path instead of the slices.
    [TestMethod]
    public void AdamWMatchesItsUpdateRuleOnDoubleWeights()
    {
        var start = Values(9, seed: 8);
        using var weights = new Parameter(tensor(start.Select(v => (double)v).ToArray()));
        var groups = new[] { new ParameterGroup(new[] { weights }, Rates[0], 0.1) };
        using var optimizer = Optimizer.Create(OptimizerKind.AdamW, groups);
        var expected = new AdamRule(start.Select(v => (double)v).ToArray(), 0.1);
        for (int step = 0; step < Steps; step++)
        {
            var gradient = Values(9, seed: 40 + step);
            groups[0].LearningRate = Rates[step];
            optimizer.ZeroGradients();
            using (var scope = torch.NewDisposeScope())
                (weights * tensor(gradient.Select(g => (double)g).ToArray())).sum().backward();
            optimizer.Step();
            expected.Step(gradient, Rates[step]);
        }
        var actual = weights.data<double>().ToArray();
        double worst = expected.Weights.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsTrue(worst < 1e-12, $"double AdamW: largest difference {worst:G3}");
    }

    [TestMethod]
    public void ParameterWithoutGradientIsLeftAloneAndItsStepCountWaits()
    {
        using var used = new Parameter(tensor(Values(4, seed: 3)));
        using var unused = new Parameter(tensor(Values(4, seed: 4)));
        var unusedStart = unused.data<float>().ToArray();
        using var optimizer = Optimizer.Create(OptimizerKind.AdamW, new[] { new ParameterGroup(new[] { used, unused }, 0.01, 0.5) });

        Backward(used, Values(4, seed: 5));
        optimizer.Step();
        CollectionAssert.AreEqual(unusedStart, unused.data<float>().ToArray(), "no gradient: neither moved nor decayed");

        // Its first step, one step later, is bias-corrected as a first step: Adam's first move is the rate times the sign.
        var gradient = Values(4, seed: 6);
        optimizer.ZeroGradients();
        Backward(unused, gradient);
        optimizer.Step();
        var rule = new AdamRule(unusedStart.Select(v => (double)v).ToArray(), 0.5);
        rule.Step(gradient, 0.01);
        AssertClose(rule.Weights, unused.data<float>().ToArray(), "first step of the late parameter");
    }

    [TestMethod]
    public void MomentumMatchesItsUpdateRule()
    {
        var start = Values(7, seed: 7);
        using var weights = new Parameter(tensor(start));
        var groups = new[] { new ParameterGroup(new[] { weights }, Rates[0], 0) };
        using var optimizer = Optimizer.Create(OptimizerKind.SgdMomentum, groups);
        var expected = start.Select(v => (double)v).ToArray();
        double[]? velocity = null;
        for (int step = 0; step < Steps; step++)
        {
            var gradient = Values(7, seed: 30 + step);
            groups[0].LearningRate = Rates[step];
            optimizer.ZeroGradients();
            Backward(weights, gradient);
            optimizer.Step();
            velocity = velocity is null ? gradient.Select(g => (double)g).ToArray() : velocity.Zip(gradient, (v, g) => 0.9 * v + g).ToArray();
            for (int i = 0; i < expected.Length; i++)
                expected[i] -= Rates[step] * velocity[i];
        }
        AssertClose(expected, weights.data<float>().ToArray(), "SGD with momentum");
    }

    // AdamW in double precision: betas 0.9 and 0.999, epsilon 1e-8, bias-corrected, decoupled decay.
    private sealed class AdamRule
    {
        private readonly double _decay;
        private readonly double[] _first, _second;
        private int _step;

        public AdamRule(double[] weights, double decay)
        {
            Weights = weights;
            _decay = decay;
            _first = new double[weights.Length];
            _second = new double[weights.Length];
        }

        public double[] Weights { get; }

        public void Step(float[] gradient, double rate)
        {
            _step++;
            for (int i = 0; i < Weights.Length; i++)
            {
                Weights[i] *= 1 - rate * _decay;
                _first[i] = 0.9 * _first[i] + 0.1 * gradient[i];
                _second[i] = 0.999 * _second[i] + 0.001 * gradient[i] * (double)gradient[i];
                var denominator = Math.Sqrt(_second[i]) / Math.Sqrt(1 - Math.Pow(0.999, _step)) + 1e-8;
                Weights[i] -= rate / (1 - Math.Pow(0.9, _step)) * _first[i] / denominator;
            }
        }
    }

    // Leaves exactly `gradient` in the parameter's gradient: d/dw sum(w * g) = g.
    private static void Backward(Parameter parameter, float[] gradient)
    {
        using var scope = torch.NewDisposeScope();
        (parameter * tensor(gradient)).sum().backward();
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    // Float32 arithmetic against double: a few units in the last place of weights of order 1, moved by order 0.01.
    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsTrue(worst < 2e-6, $"{what}: largest difference {worst:G3}");
    }
}
