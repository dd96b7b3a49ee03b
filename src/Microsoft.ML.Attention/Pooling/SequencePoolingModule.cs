using System;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>
/// Pools values [B, T, D] with a mask [B, T] into [B, D], returning the weights [B, T] it used.
/// Mean pooling reports its uniform weights; max pooling reports none (all zero).
/// </summary>
internal sealed class SequencePoolingModule : nn.Module
{
    private readonly PoolingMode _mode;

    // Checkpoint key prefix "attention." (only in attention mode).
    private readonly AttentionLayer? attention;

    public SequencePoolingModule(PoolingArchitecture architecture) : base(nameof(SequencePoolingModule))
    {
        _mode = architecture.Mode;
        if (_mode == PoolingMode.Attention)
            // Query-free scores: the query dimension is 0.
            attention = AttentionLayer.Create(architecture.ScoreFunction, AttentionDistributionKind.Soft,
                queryDim: 0, keyDim: architecture.VectorSize, hiddenSize: architecture.HiddenSize);
        RegisterComponents();
    }

    public (Tensor Pooled, Tensor Weights) Pool(Tensor values, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pooled, weights;
        switch (_mode)
        {
            case PoolingMode.Attention:
                var (context, attended) = attention!.Forward(null, values, values, mask);
                pooled = context.squeeze(1);
                weights = attended.squeeze(1);
                break;
            case PoolingMode.Mean:
                weights = Masking.Softmax(torch.zeros(mask.shape, dtype: values.dtype), mask);
                pooled = torch.bmm(weights.unsqueeze(1), values).squeeze(1);
                break;
            case PoolingMode.Max:
                weights = torch.zeros(mask.shape, dtype: values.dtype);
                var maxima = values.masked_fill(mask.logical_not().unsqueeze(-1), float.NegativeInfinity).amax(new long[] { 1 });
                // An empty sequence has no maximum; it pools to zeros like the other modes.
                pooled = maxima.masked_fill(maxima.isinf(), 0);
                break;
            default:
                throw new InvalidOperationException($"Unknown pooling mode {_mode}.");
        }
        return (pooled.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }
}
