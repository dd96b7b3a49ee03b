using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(q, k) = q·k / sqrt(Dk): keeps the variance of the scores independent of the dimension, so the softmax does not
// saturate for wide keys.
internal sealed class ScaledDotScore : AttentionScore
{
    public ScaledDotScore()
        : base(nameof(ScaledDotScore))
    {
        RegisterComponents();
    }

    public override bool HasParameters => false;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        var q = RequireQuery(query);
        RequireSameDimension(q, keys);
        using var scope = NewDisposeScope();
        using var scale = Math.Sqrt(keys.shape[^1]).ToScalar();
        var scores = q.matmul(keys.transpose(-2, -1)) / scale;
        return scope.MoveToOuter(scores);
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize)
        => g.Div(g.MatMul(RequireQuery(query), g.TransposeLast(keys)), g.Scalar((float)Math.Sqrt(keySize)));
}
