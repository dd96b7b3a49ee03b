using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

internal enum MlpActivation
{
    Tanh,
    Relu,
}

// score(q, k) = w2ᵀ act(W1 [q; k] + b1) + b2, or over k alone when built with queryDim = 0. W1 is stored as one
// Linear over the concatenation, but applied as W1[:, :Dq] q + W1[:, Dq:] k so the concatenation of every
// query-key pair is never materialized (only the [..., Tq, Tk, H] hidden layer is).
internal sealed class MlpScore : AttentionScore
{
    private readonly Linear hidden_layer;
    private readonly Linear output_layer;
    private readonly long _queryDim;
    private readonly long _keyDim;
    private readonly MlpActivation _activation;

    public MlpScore(long queryDim, long keyDim, long hiddenSize, MlpActivation activation = MlpActivation.Tanh)
        : base(nameof(MlpScore))
    {
        if (queryDim < 0)
            throw new ArgumentOutOfRangeException(nameof(queryDim), queryDim, "The query dimension must not be negative.");
        if (keyDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, "The key dimension must be positive.");
        if (hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        _queryDim = queryDim;
        _keyDim = keyDim;
        _activation = activation;
        hidden_layer = nn.Linear(queryDim + keyDim, hiddenSize, hasBias: true);
        output_layer = nn.Linear(hiddenSize, 1, hasBias: true);
        RegisterComponents();
    }

    public override bool UsesQuery => _queryDim > 0;

    public override bool HasParameters => true;

    /// <summary>W1 [H, Dq + Dk] (query columns first).</summary>
    public Tensor HiddenWeight => hidden_layer.weight!;

    /// <summary>b1 [H].</summary>
    public Tensor HiddenBias => hidden_layer.bias!;

    /// <summary>w2 as a [1, H] matrix.</summary>
    public Tensor OutputWeight => output_layer.weight!;

    /// <summary>b2 [1].</summary>
    public Tensor OutputBias => output_layer.bias!;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        RequireLastDimension(keys, _keyDim, nameof(keys));
        using var scope = NewDisposeScope();
        var weight = hidden_layer.weight!;
        var keyPart = nn.functional.linear(keys, weight.narrow(1, _queryDim, _keyDim), hidden_layer.bias);
        Tensor hidden;
        if (UsesQuery)
        {
            var q = RequireQuery(query);
            RequireLastDimension(q, _queryDim, nameof(query));
            var queryPart = q.matmul(weight.narrow(1, 0, _queryDim).t());
            hidden = queryPart.unsqueeze(-2).add(keyPart.unsqueeze(-3), Scalars.One);   // [..., Tq, Tk, H]
        }
        else
        {
            hidden = keyPart.unsqueeze(-3);                             // [..., 1, Tk, H]
        }
        hidden = _activation == MlpActivation.Relu ? hidden.relu() : hidden.tanh();
        var scores = output_layer.call(hidden).squeeze(-1);
        return scope.MoveToOuter(UsesQuery ? scores : ExpandOverQuery(scores, query));
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize)
    {
        var weight = hidden_layer.weight!;
        using var keyWeight = weight.narrow(1, _queryDim, _keyDim);
        var hidden = g.Unsqueeze(g.Add(g.MatMul(keys, g.TransposedWeight(keyWeight)), g.Weight(HiddenBias)), -3);   // [B, 1, T, H]
        if (UsesQuery)
        {
            using var queryWeight = weight.narrow(1, 0, _queryDim);
            hidden = g.Add(g.Unsqueeze(g.MatMul(RequireQuery(query), g.TransposedWeight(queryWeight)), -2), hidden);  // [B, 1, T, H]
        }
        hidden = g.Unary(_activation == MlpActivation.Relu ? "Relu" : "Tanh", hidden);
        return g.Squeeze(g.Add(g.MatMul(hidden, g.TransposedWeight(OutputWeight)), g.Weight(OutputBias)), -1);
    }
}
