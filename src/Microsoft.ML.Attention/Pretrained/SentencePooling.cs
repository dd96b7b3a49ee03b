using System;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Token states → one vector per window, as sentence-transformers pools: mean over the attention mask ([CLS] and
/// [SEP] included), the first token ([CLS]), or the maximum over real tokens; L2 normalization is a separate step
/// (<see cref="Normalize"/>) so that a long text's windows can be averaged first.
/// </summary>
internal static class SentencePooling
{
    private static readonly Scalar MinimumNorm = 1e-12.ToScalar();

    /// <summary>states [B, T, hidden], mask bool [B, T] true at real tokens → [B, hidden].</summary>
    public static Tensor Pool(Tensor states, Tensor mask, PoolingMode pooling)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pooled;
        switch (pooling)
        {
            case PoolingMode.Mean:
                pooled = MaskedPooling.Mean(states, mask);
                break;
            case PoolingMode.FirstToken:
                pooled = states[TensorIndex.Colon, 0];
                break;
            case PoolingMode.Max:
                pooled = MaskedPooling.Max(states, mask);
                break;
            default:
                throw new ArgumentException($"Pooling {pooling} needs training; a pretrained encoder pools by Mean, FirstToken or Max.", nameof(pooling));
        }
        return scope.MoveToOuter(pooled);
    }

    /// <summary><see cref="Pool"/> in an exported graph: states [B, T, hidden], mask bool [B, T] → [B, hidden].</summary>
    public static string Export(ExportGraph g, string states, string mask, PoolingMode pooling) => pooling switch
    {
        PoolingMode.Mean => MaskedPooling.ExportMean(g, states, mask),
        PoolingMode.FirstToken => g.Op("Gather", new[] { states, g.Constant(new[] { 0L }) }, ("axis", 1L)),   // a scalar index drops the axis
        PoolingMode.Max => MaskedPooling.ExportMax(g, states, mask),
        _ => throw new ArgumentException($"Pooling {pooling} needs training; a pretrained encoder pools by Mean, FirstToken or Max.", nameof(pooling)),
    };

    /// <summary><see cref="Normalize"/> in an exported graph: vectors [B, hidden].</summary>
    public static string ExportNormalize(ExportGraph g, string vectors)
    {
        var norm = g.Unary("Sqrt", g.ReduceSum(g.Mul(vectors, vectors), -1, keepDims: true));
        return g.Div(vectors, g.Max(norm, g.Scalar(1e-12f)));
    }

    /// <summary>x / max(‖x‖₂, 1e-12) per row, as torch.nn.functional.normalize.</summary>
    public static Tensor Normalize(Tensor vectors)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(vectors / vectors.norm(1, keepdim: true).clamp_min(MinimumNorm));
    }
}
