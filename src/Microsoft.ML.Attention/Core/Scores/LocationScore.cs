using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(k) = vᵀ tanh(W k + b) with a learned context vector v (Yang et al., hierarchical attention networks: the
// context vector plays the role of a fixed, learned query "which word/sentence is informative").
internal sealed class LocationScore : AttentionScore
{
    private readonly Linear key_projection;
    private readonly Parameter context_vector;
    private readonly long _keyDim;

    public LocationScore(long keyDim, long hiddenSize)
        : base(nameof(LocationScore))
    {
        if (keyDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, "The key dimension must be positive.");
        if (hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        _keyDim = keyDim;
        key_projection = nn.Linear(keyDim, hiddenSize, hasBias: true);
        // Same range as the default init of a Linear with fan-in H, drawn from torch's global generator so that
        // seeding torch makes the initialization reproducible.
        var bound = 1.0 / Math.Sqrt(hiddenSize);
        using (var initial = empty(hiddenSize))
        {
            context_vector = new Parameter(nn.init.uniform_(initial, -bound, bound).clone());
        }
        RegisterComponents();
    }

    public override bool UsesQuery => false;

    public override bool HasParameters => true;

    /// <summary>W [H, Dk].</summary>
    public Tensor Weight => key_projection.weight!;

    /// <summary>b [H].</summary>
    public Tensor Bias => key_projection.bias!;

    /// <summary>v [H].</summary>
    public Tensor ContextVector => context_vector;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        RequireLastDimension(keys, _keyDim, nameof(keys));
        using var scope = NewDisposeScope();
        var scores = key_projection.call(keys).tanh().matmul(context_vector).unsqueeze(-2); // [..., 1, Tk]
        return scope.MoveToOuter(ExpandOverQuery(scores, query));
    }

    // Any query is ignored; with one query per row the scores [B, 1, T] already have its shape.
    public override string Export(ExportGraph g, string? query, string keys, long keySize)
    {
        var hidden = g.Unary("Tanh", g.Add(g.MatMul(keys, g.TransposedWeight(Weight)), g.Weight(Bias)));
        return g.Unsqueeze(g.MatMul(hidden, g.Weight(ContextVector)), -2);
    }
}
