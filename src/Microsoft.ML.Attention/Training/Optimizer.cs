using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Moves the parameters along their gradients, group by group; a parameter without a gradient (not used by the loss) is
/// left alone and its step count does not advance.
/// </summary>
/// <remarks>
/// The library's own rather than TorchSharp's optimizers, for two reasons. TorchSharp's steps convert numbers to
/// temporary Scalars that a garbage collection can free while libtorch still reads them (see <c>Core/Scalars.cs</c>;
/// it failed a test run inside <c>Adam.step</c>). And they keep every temporary of a step until the step ends: for
/// Adam two tensors the size of every parameter, 174 MiB for all-MiniLM-L6-v2, on top of the weights, gradients and
/// moments at training's peak.
/// </remarks>
internal abstract class Optimizer : IDisposable
{
    private readonly (Parameter Parameter, ParameterGroup Group)[] _members;

    protected Optimizer(IReadOnlyList<ParameterGroup> groups)
    {
        Groups = groups;
        _members = groups.SelectMany(g => g.Parameters.Select(p => (p, g))).ToArray();
    }

    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>How many parameters the optimizer moves.</summary>
    protected int Count => _members.Length;

    public static Optimizer Create(OptimizerKind kind, IReadOnlyList<ParameterGroup> groups) => kind switch
    {
        OptimizerKind.SgdMomentum => new MomentumOptimizer(groups),
        _ => new AdamOptimizer(groups),
    };

    /// <summary>One step from the gradients the last backward passes accumulated.</summary>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _members.Length; i++)
        {
            using var scope = torch.NewDisposeScope();
            var (parameter, group) = _members[i];
            var gradient = parameter.grad;
            if (gradient is null)
                continue;
            Update(i, parameter.detach(), gradient, group);
        }
    }

    /// <summary>Zeroes the gradients in place (their memory stays for the next backward pass).</summary>
    public void ZeroGradients()
    {
        foreach (var (parameter, _) in _members)
        {
            using var gradient = parameter.grad;
            gradient?.zero_();
        }
    }

    /// <summary>
    /// Moves the weights of parameter <paramref name="index"/> (a detached alias: changing it changes the parameter)
    /// by <paramref name="gradient"/>. Runs without gradients, inside a dispose scope of its own.
    /// </summary>
    protected abstract void Update(int index, Tensor weights, Tensor gradient, ParameterGroup group);

    public abstract void Dispose();
}
