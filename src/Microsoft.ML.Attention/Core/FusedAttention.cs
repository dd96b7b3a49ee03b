using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Scaled dot-product scores, masked softmax and the weighted sum of the values in one call to libtorch's fused
// kernel. It gives the same result as ScaledDotScore + SoftDistribution + matmul (within float rounding; rows without
// an allowed key are zeros there too) but never materializes the [B, heads, Tq, Tk] weights, which makes a scoring
// pass several times faster per layer. Callers that need the weights use the general path.
internal static class FusedAttention
{
    /// <summary>
    /// query [B, heads, Tq, D], keys [B, heads, Tk, D], values [B, heads, Tk, Dv]; mask bool broadcastable to
    /// [B, heads, Tq, Tk] (true = may attend) or null. Scores are q·k / sqrt(D). <paramref name="dropout"/> drops
    /// that share of the weights inside the kernel (training only). Returns [B, heads, Tq, Dv].
    /// </summary>
    public static Tensor ScaledDotSoftmax(Tensor query, Tensor keys, Tensor values, Tensor? mask, double dropout = 0.0)
    {
        if (query.dim() != 4 || keys.dim() != 4 || values.dim() != 4)
            throw new ArgumentException("Fused attention expects [B, heads, T, D] query, keys and values.");
        if (mask is not null && mask.dtype != ScalarType.Bool)
            throw new ArgumentException("Fused attention expects a Boolean mask.", nameof(mask));
        // The kernel's dropout draws from libtorch's default generator: the fit's generator is lent to it.
        return dropout > 0.0
            ? FitGenerator.Draw(() => nn.functional.scaled_dot_product_attention(query, keys, values, mask, dropout, false))
            : nn.functional.scaled_dot_product_attention(query, keys, values, mask, dropout, false);
    }
}
