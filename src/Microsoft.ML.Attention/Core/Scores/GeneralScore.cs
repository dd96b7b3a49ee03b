using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(q, k) = qᵀ W k (Luong "general"). W is the weight [Dq, Dk] of a bias-free Linear Dk -> Dq, so W k is computed
// once per key rather than once per query-key pair.
internal sealed class GeneralScore : AttentionScore
{
    private readonly Linear key_projection;
    private readonly long _queryDim;
    private readonly long _keyDim;

    public GeneralScore(long queryDim, long keyDim)
        : base(nameof(GeneralScore))
    {
        if (queryDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(queryDim), queryDim, "The query dimension must be positive.");
        if (keyDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, "The key dimension must be positive.");
        _queryDim = queryDim;
        _keyDim = keyDim;
        key_projection = nn.Linear(keyDim, queryDim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The matrix W [Dq, Dk].</summary>
    public Tensor Weight => key_projection.weight!;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        var q = RequireQuery(query);
        RequireLastDimension(q, _queryDim, nameof(query));
        RequireLastDimension(keys, _keyDim, nameof(keys));
        using var scope = NewDisposeScope();
        var projectedKeys = key_projection.call(keys);
        return scope.MoveToOuter(q.matmul(projectedKeys.transpose(-2, -1)));
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize)
        => g.MatMul(RequireQuery(query), g.TransposeLast(g.MatMul(keys, g.TransposedWeight(key_projection.weight!))));
}
