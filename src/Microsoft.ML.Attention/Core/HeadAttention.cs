using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Multi-head attention without its projections: combining the masks, splitting into heads, attending (libtorch's fused
// kernel or the general path that materializes the weights) and merging the heads. MultiHeadAttention and the
// pretrained BERT self-attention (whose projections carry Hugging Face's names) both attend through it.
internal static class HeadAttention
{
    private static readonly ScaledDotScore ScaledDot = new();
    private static readonly SoftDistribution Soft = new();

    /// <summary>
    /// keyPaddingMask bool [B, Tk] (true = real token) and attentionMask bool [Tq, Tk] or [B, Tq, Tk] (true = may
    /// attend), combined into [B or 1, 1, Tq or 1, Tk]; null when both are null.
    /// </summary>
    public static Tensor? CombineMasks(Tensor? keyPaddingMask, Tensor? attentionMask, long batch, long queryLength, long keyLength)
    {
        Tensor? padding = null;
        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.shape[0] != batch || keyPaddingMask.shape[1] != keyLength)
                throw new ArgumentException($"Expected a key padding mask [{batch}, {keyLength}].", nameof(keyPaddingMask));
            padding = keyPaddingMask.reshape(batch, 1, 1, keyLength);
        }
        Tensor? pairs = null;
        if (attentionMask is not null)
        {
            if (attentionMask.dim() is not (2 or 3) || attentionMask.shape[^2] != queryLength || attentionMask.shape[^1] != keyLength)
                throw new ArgumentException($"Expected an attention mask [{queryLength}, {keyLength}].", nameof(attentionMask));
            pairs = attentionMask.dim() == 2 ? attentionMask.reshape(1, 1, queryLength, keyLength) : attentionMask.unsqueeze(1);
        }
        return Masking.Combine(padding, pairs);
    }

    /// <summary>[B, T, heads x headDim] → [B, heads, T, headDim].</summary>
    public static Tensor SplitHeads(Tensor x, long heads) => x.reshape(x.shape[0], x.shape[1], heads, x.shape[2] / heads).transpose(1, 2);

    /// <summary>[B, heads, T, headDim] → [B, T, heads x headDim].</summary>
    public static Tensor MergeHeads(Tensor perHead)
        => perHead.transpose(1, 2).reshape(perHead.shape[0], perHead.shape[2], perHead.shape[1] * perHead.shape[3]);

    /// <summary>
    /// Attends per head: q [B, heads, Tq, d], k [B, heads, Tk, d], v [B, heads, Tk, dv], mask broadcastable to
    /// [B, heads, Tq, Tk] or null. With <paramref name="weightsOf"/> null, scaled-dot soft attention runs in libtorch's
    /// fused kernel and no weights are returned; otherwise the weights are weightsOf(q, k, mask) (before
    /// <paramref name="dropout"/>, which applies to the product only). <paramref name="fusedDropout"/> is the share
    /// of weights the fused kernel drops (training), so that attention dropout need not materialize the weights.
    /// Returns [B, heads, Tq, dv] and the weights.
    /// </summary>
    public static (Tensor Output, Tensor? Weights) Attend(Tensor q, Tensor k, Tensor v, Tensor? mask,
        Func<Tensor, Tensor, Tensor?, Tensor>? weightsOf, Func<Tensor, Tensor>? dropout = null, double fusedDropout = 0.0)
    {
        if (weightsOf is null)
            return (FusedAttention.ScaledDotSoftmax(q, k, v, mask, fusedDropout), null);
        using var scope = NewDisposeScope();
        var weights = weightsOf(q, k, mask);
        var output = (dropout is null ? weights : dropout(weights)).matmul(v);
        return (scope.MoveToOuter(output), scope.MoveToOuter(weights));
    }

    /// <summary>The general path of scaled-dot soft attention: softmax(q·kᵀ / sqrt(d)) over the allowed keys.</summary>
    public static Tensor ScaledDotSoftmaxWeights(Tensor q, Tensor k, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Soft.Normalize(ScaledDot.Score(q, k), mask));
    }
}
