using System;
using Microsoft.ML.Attention.Infrastructure;
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
    private static readonly Scalar MinimumCount = 1e-9.ToScalar();
    private static readonly Scalar Blocked = (-1e9).ToScalar();
    private static readonly Scalar MinimumNorm = 1e-12.ToScalar();

    /// <summary>states [B, T, hidden], mask bool [B, T] true at real tokens → [B, hidden].</summary>
    public static Tensor Pool(Tensor states, Tensor mask, TokenPooling pooling)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pooled;
        switch (pooling)
        {
            case TokenPooling.Mean:
                var share = mask.to_type(states.dtype).unsqueeze(-1);
                pooled = (states * share).sum(1) / share.sum(1).clamp_min(MinimumCount);
                break;
            case TokenPooling.FirstToken:
                pooled = states[TensorIndex.Colon, 0];
                break;
            case TokenPooling.Max:
                pooled = states.masked_fill(mask.logical_not().unsqueeze(-1), Blocked).amax(new long[] { 1 });
                break;
            default:
                throw new ArgumentException($"Pooling {pooling} needs training; a pretrained encoder pools by Mean, FirstToken or Max.", nameof(pooling));
        }
        return scope.MoveToOuter(pooled);
    }

    /// <summary>x / max(‖x‖₂, 1e-12) per row, as torch.nn.functional.normalize.</summary>
    public static Tensor Normalize(Tensor vectors)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(vectors / vectors.norm(1, keepdim: true).clamp_min(MinimumNorm));
    }
}
