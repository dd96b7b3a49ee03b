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

    /// <summary>The element-wise maximum [B, D] of the unmasked vectors.</summary>
    public static Tensor Max(Tensor values, Tensor mask)
    {
        var maxima = values.masked_fill(mask.logical_not().unsqueeze(-1), Scalars.NegativeInfinity).amax(new long[] { 1 });
        return maxima.masked_fill(maxima.isinf(), Scalars.Zero);
    }
}
