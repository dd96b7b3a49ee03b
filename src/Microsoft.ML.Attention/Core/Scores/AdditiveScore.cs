using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(q, k) = vᵀ tanh(W q + U k) (Bahdanau). Computes W q and U k once each and broadcasts their sum to
// [..., Tq, Tk, H]; that intermediate is the memory cost of additive attention.
internal sealed class AdditiveScore : AttentionScore
{
    private readonly Linear query_projection;
    private readonly Linear key_projection;
    private readonly Linear score_projection;
    private readonly long _queryDim;
    private readonly long _keyDim;

    public AdditiveScore(long queryDim, long keyDim, long hiddenSize)
        : base(nameof(AdditiveScore))
    {
        if (queryDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(queryDim), queryDim, "The query dimension must be positive.");
        if (keyDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, "The key dimension must be positive.");
        if (hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        _queryDim = queryDim;
        _keyDim = keyDim;
        query_projection = nn.Linear(queryDim, hiddenSize, hasBias: false);
        key_projection = nn.Linear(keyDim, hiddenSize, hasBias: false);
        score_projection = nn.Linear(hiddenSize, 1, hasBias: false);
        RegisterComponents();
    }

    /// <summary>W [H, Dq].</summary>
    public Tensor QueryWeight => query_projection.weight!;

    /// <summary>U [H, Dk].</summary>
    public Tensor KeyWeight => key_projection.weight!;

    /// <summary>v as a [1, H] matrix.</summary>
    public Tensor ScoreWeight => score_projection.weight!;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        var q = RequireQuery(query);
        RequireLastDimension(q, _queryDim, nameof(query));
        RequireLastDimension(keys, _keyDim, nameof(keys));
        using var scope = NewDisposeScope();
        var projectedQuery = query_projection.call(q).unsqueeze(-2);   // [..., Tq, 1, H]
        var projectedKeys = key_projection.call(keys).unsqueeze(-3);   // [..., 1, Tk, H]
        var scores = score_projection.call(projectedQuery.add(projectedKeys, Scalars.One).tanh()).squeeze(-1);
        return scope.MoveToOuter(scores);
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize)
    {
        var projectedQuery = g.Unsqueeze(g.MatMul(RequireQuery(query), g.TransposedWeight(QueryWeight)), -2);  // [B, 1, 1, H]
        var projectedKeys = g.Unsqueeze(g.MatMul(keys, g.TransposedWeight(KeyWeight)), -3);                  // [B, 1, T, H]
        var hidden = g.Unary("Tanh", g.Add(projectedQuery, projectedKeys));
        return g.Squeeze(g.MatMul(hidden, g.TransposedWeight(ScoreWeight)), -1);
    }
}
