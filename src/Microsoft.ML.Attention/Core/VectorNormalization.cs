using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// L2 normalization of vectors, as sentence-transformers' Normalize module and torch.nn.functional.normalize: a separate
/// step after <see cref="SequencePooling"/>, so that a long text's window vectors can be averaged first.
/// </summary>
internal static class VectorNormalization
{
    private static readonly Scalar MinimumNorm = 1e-12.ToScalar();

    /// <summary>x / max(‖x‖₂, 1e-12) per row of vectors [B, D].</summary>
    public static Tensor Normalize(Tensor vectors)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(vectors / vectors.norm(1, keepdim: true).clamp_min(MinimumNorm));
    }

    /// <summary><see cref="Normalize"/> in an exported graph: vectors [B, D].</summary>
    public static string Export(ExportGraph g, string vectors)
    {
        var norm = g.Unary("Sqrt", g.ReduceSum(g.Mul(vectors, vectors), -1, keepDims: true));
        return g.Div(vectors, g.Max(norm, g.Scalar(1e-12f)));
    }
}
