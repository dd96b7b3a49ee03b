using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(q, k) = q·k
internal sealed class DotScore : AttentionScore
{
    public DotScore()
        : base(nameof(DotScore))
    {
        RegisterComponents();
    }

    public override bool HasParameters => false;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        var q = RequireQuery(query);
        RequireSameDimension(q, keys);
        return q.matmul(keys.transpose(-2, -1));
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize) => g.MatMul(RequireQuery(query), g.TransposeLast(keys));
}
