using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// The parameter-free poolings of vectors [B, T, D] over the positions where a mask [B, T] is true, shared by the
/// attention pooling and the featurizer. A row with no position pools to zeros.
/// </summary>
internal static class MaskedPooling
{
    /// <summary>The average [B, D] of the unmasked vectors.</summary>
    public static Tensor Mean(Tensor values, Tensor mask)
    {
        var share = mask.to_type(values.dtype).unsqueeze(-1);
        return (values * share).sum(1) / share.sum(1).clamp_min(Scalars.One);
    }

    /// <summary><see cref="Mean"/> in an exported graph: values [B, T, D], mask bool [B, T].</summary>
    public static string ExportMean(ExportGraph g, string values, string mask)
    {
        var share = g.Unsqueeze(g.ToFloat(mask), -1);
        return g.Div(g.ReduceSum(g.Mul(values, share), 1, keepDims: false), g.Max(g.ReduceSum(share, 1, keepDims: false), g.Scalar(1f)));
    }

    /// <summary><see cref="Max"/> in an exported graph: values [B, T, D], mask bool [B, T].</summary>
    public static string ExportMax(ExportGraph g, string values, string mask)
    {
        var maxima = g.ReduceMax(g.Where(g.Unsqueeze(mask, -1), values, g.Scalar(float.NegativeInfinity)), 1, keepDims: false);
        return g.Where(g.Unary("IsInf", maxima), g.Scalar(0f), maxima);
    }

    /// <summary>The element-wise maximum [B, D] of the unmasked vectors.</summary>
    public static Tensor Max(Tensor values, Tensor mask)
    {
        var maxima = values.masked_fill(mask.logical_not().unsqueeze(-1), Scalars.NegativeInfinity).amax(new long[] { 1 });
        return maxima.masked_fill(maxima.isinf(), Scalars.Zero);
    }
}
