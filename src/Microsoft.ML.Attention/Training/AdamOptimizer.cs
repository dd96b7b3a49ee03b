using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Adam with decoupled weight decay (AdamW; Adam when a group's decay is 0), step for step PyTorch's AdamW (betas 0.9
/// and 0.999, epsilon 1e-8, bias-corrected): w ← w (1 − rate · decay); m ← β₁ m + (1 − β₁) g; v ← β₂ v + (1 − β₂) g²;
/// w ← w − rate / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
/// <remarks>
/// The denominator is the only tensor the step needs beside the moments. It is computed a slice at a time in one small
/// buffer, so a step of all-MiniLM-L6-v2 allocates 1 MiB instead of two tensors the size of the model.
/// </remarks>
internal sealed class AdamOptimizer : Optimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999;
    private static readonly Scalar Beta1Scalar = Beta1.ToScalar(), Beta2Scalar = Beta2.ToScalar();
    private static readonly Scalar OneMinusBeta1 = (1 - Beta1).ToScalar(), OneMinusBeta2 = (1 - Beta2).ToScalar();
    private static readonly Scalar Epsilon = 1e-8.ToScalar();

    // Elements per slice of the denominator: 1 MiB, within a core's L2 cache.
    private const long SliceLength = 1 << 18;

    private readonly Tensor?[] _first, _second;
    private readonly long[] _steps;
    private Tensor? _slice;

    public AdamOptimizer(IReadOnlyList<ParameterGroup> groups) : base(groups)
    {
        _first = new Tensor?[Count];
        _second = new Tensor?[Count];
        _steps = new long[Count];
    }

    protected override void Update(int index, Tensor weights, Tensor gradient, ParameterGroup group)
    {
        var first = _first[index] ??= zeros_like(weights).DetachFromDisposeScope();
        var second = _second[index] ??= zeros_like(weights).DetachFromDisposeScope();
        long step = ++_steps[index];
        double rate = group.LearningRate;

        if (group.WeightDecay != 0)
        {
            using var keep = (1 - rate * group.WeightDecay).ToScalar();
            weights.mul_(keep);
        }
        first.mul_(Beta1Scalar).add_(gradient, OneMinusBeta1);
        second.mul_(Beta2Scalar).addcmul_(gradient, gradient, OneMinusBeta2);

        using var correction = Math.Sqrt(1 - Math.Pow(Beta2, step)).ToScalar();
        using var stepSize = (-rate / (1 - Math.Pow(Beta1, step))).ToScalar();
        if (!weights.is_contiguous() || !first.is_contiguous() || weights.dtype != ScalarType.Float32)
        {
            var denominator = second.sqrt().div_(correction).add_(Epsilon, Scalars.One);
            weights.addcdiv_(first, denominator, stepSize);
            return;
        }

        long length = weights.numel();
        _slice ??= empty(SliceLength, dtype: ScalarType.Float32).DetachFromDisposeScope();
        var (flatWeights, flatFirst, flatSecond) = (weights.view(-1), first.view(-1), second.view(-1));
        for (long start = 0; start < length; start += SliceLength)
        {
            long count = Math.Min(SliceLength, length - start);
            var denominator = _slice.narrow(0, 0, count);
            denominator.copy_(flatSecond.narrow(0, start, count)).sqrt_().div_(correction).add_(Epsilon, Scalars.One);
            flatWeights.narrow(0, start, count).addcdiv_(flatFirst.narrow(0, start, count), denominator, stepSize);
        }
    }

    public override void Dispose()
    {
        foreach (var moment in _first)
            moment?.Dispose();
        foreach (var moment in _second)
            moment?.Dispose();
        _slice?.Dispose();
    }
}
