using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// score(q, k) = q·k / (|q| |k|). The norms are sqrt(|x|² + eps): a zero vector then scores 0 instead of 0/0, and
// the gradient of the norm stays finite at zero (the gradient of a plain sqrt at 0 is infinite).
internal sealed class CosineScore : AttentionScore
{
    // Added to the squared norm; changes the cosine of vectors of norm ~1 by ~1e-12 relative.
    private static readonly Scalar SquaredNormEpsilon = 1e-12.ToScalar();

    public CosineScore()
        : base(nameof(CosineScore))
    {
        RegisterComponents();
    }

    public override bool HasParameters => false;

    public override Tensor Score(Tensor? query, Tensor keys)
    {
        var q = RequireQuery(query);
        RequireSameDimension(q, keys);
        using var scope = NewDisposeScope();
        var scores = Normalize(q).matmul(Normalize(keys).transpose(-2, -1));
        return scope.MoveToOuter(scores);
    }

    public override string Export(ExportGraph g, string? query, string keys, long keySize)
        => g.MatMul(Normalize(g, RequireQuery(query)), g.TransposeLast(Normalize(g, keys)));

    private static string Normalize(ExportGraph g, string x)
        => g.Div(x, g.Unary("Sqrt", g.Add(g.ReduceSum(g.Mul(x, x), -1, keepDims: true), g.Scalar(1e-12f))));

    private static Tensor Normalize(Tensor x)
        => x / (x * x).sum(-1, keepdim: true).add(SquaredNormEpsilon, Scalars.One).sqrt();
}
