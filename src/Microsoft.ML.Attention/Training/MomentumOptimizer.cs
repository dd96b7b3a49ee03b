using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Stochastic gradient descent with momentum 0.9, as PyTorch's SGD (no dampening, not Nesterov): the velocity starts
/// at the first gradient, then v ← 0.9 v + g; w ← w − rate · v.
/// </summary>
internal sealed class MomentumOptimizer : Optimizer
{
    private static readonly Scalar Momentum = 0.9.ToScalar();
    private readonly Tensor?[] _velocity;

    public MomentumOptimizer(IReadOnlyList<ParameterGroup> groups) : base(groups) => _velocity = new Tensor?[Count];

    protected override void Update(int index, Tensor weights, Tensor gradient, ParameterGroup group)
    {
        var velocity = _velocity[index];
        if (velocity is null)
            _velocity[index] = velocity = gradient.clone().DetachFromDisposeScope();
        else
            velocity.mul_(Momentum).add_(gradient, Scalars.One);
        using var step = (-group.LearningRate).ToScalar();
        weights.add_(velocity, step);
    }

    public override void Dispose()
    {
        foreach (var velocity in _velocity)
            velocity?.Dispose();
    }
}
