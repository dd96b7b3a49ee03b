using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// The one pooling of vectors [B, T, D] over the positions where a mask [B, T] is true, for every component: mean, max,
/// the first position, or attention (one or more heads whose vectors and weights are averaged, so the weights still
/// sum to 1). It holds no parameters of its own: the attention heads are modules of the component, registered under
/// the component's field names, so that its checkpoint keys stay what they were.
/// </summary>
internal sealed class SequencePooling
{
    private readonly PoolingMode _mode;
    private readonly AttentionLayer[] _heads;

    /// <param name="mode">How to pool.</param>
    /// <param name="heads">The attention heads (attention mode only; at least one).</param>
    public SequencePooling(PoolingMode mode, IEnumerable<AttentionLayer>? heads = null)
    {
        _mode = mode;
        _heads = heads?.ToArray() ?? Array.Empty<AttentionLayer>();
        if (mode == PoolingMode.Attention && _heads.Length == 0)
            throw new ArgumentException("Attention pooling needs at least one attention head.", nameof(heads));
    }

    /// <summary>
    /// Pools <paramref name="values"/> [B, T, D] where <paramref name="mask"/> [B, T] is true, attending with
    /// <paramref name="query"/> [B, Dq] when given. Returns the pooled vectors [B, D] and the weights [B, T] each
    /// position received: the attention weights, the uniform weights of the mean, zeros for max and the first position
    /// (which weigh no position). A row with no position pools to zeros (the first position: whatever is there).
    /// </summary>
    public (Tensor Pooled, Tensor Weights) Pool(Tensor values, Tensor mask, Tensor? query = null)
    {
        using var scope = NewDisposeScope();
        Tensor pooled, weights;
        switch (_mode)
        {
            case PoolingMode.Attention:
                var headQuery = query?.unsqueeze(1);
                // Query-dependent distributions (local-p) without a query column predict from the sequence's mean.
                if (headQuery is null && _heads[0].Distribution.RequiresQuery)
                    headQuery = MaskedPooling.Mean(values, mask).unsqueeze(1);
                var contexts = new Tensor[_heads.Length];
                var headWeights = new Tensor[_heads.Length];
                for (int h = 0; h < _heads.Length; h++)
                {
                    var (context, attended) = _heads[h].Forward(headQuery, values, values, mask);
                    contexts[h] = context.squeeze(1);
                    headWeights[h] = attended.squeeze(1);
                }
                pooled = _heads.Length == 1 ? contexts[0] : stack(contexts).mean(new long[] { 0 });
                weights = _heads.Length == 1 ? headWeights[0] : stack(headWeights).mean(new long[] { 0 });
                break;
            case PoolingMode.Mean:
                weights = Masking.Softmax(zeros(mask.shape, dtype: values.dtype), mask);
                pooled = MaskedPooling.Mean(values, mask);
                break;
            case PoolingMode.Max:
                weights = zeros(mask.shape, dtype: values.dtype);
                pooled = MaskedPooling.Max(values, mask);
                break;
            case PoolingMode.FirstToken:
                weights = zeros(mask.shape, dtype: values.dtype);
                pooled = values[TensorIndex.Colon, 0];
                break;
            default:
                throw new InvalidOperationException($"Unknown pooling mode {_mode}.");
        }
        return (pooled.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <see cref="Pool"/> in an exported graph: values [B, T, D] (D = <paramref name="vectorSize"/>, T ≥ 1), mask bool
    /// [B, T] and the query [B, Dq] (null without one) give the pooled vectors [B, D] and the weights [B, T].
    /// </summary>
    public (string Pooled, string Weights) Export(ExportGraph g, string values, string mask, string? query, long vectorSize)
    {
        switch (_mode)
        {
            case PoolingMode.Attention:
                var headQuery = query is null ? null : g.Unsqueeze(query, 1);
                if (headQuery is null && _heads[0].Distribution.RequiresQuery)
                    headQuery = g.Unsqueeze(MaskedPooling.ExportMean(g, values, mask), 1);
                var heads = _heads.Select(head => head.Export(g, headQuery, values, vectorSize, values, mask)).ToArray();
                return (g.Squeeze(g.Mean(heads.Select(h => h.Context).ToArray()), 1), g.Squeeze(g.Mean(heads.Select(h => h.Weights).ToArray()), 1));
            case PoolingMode.Mean:
                var share = g.ToFloat(mask);
                return (MaskedPooling.ExportMean(g, values, mask), g.Div(share, g.Max(g.ReduceSum(share, -1, keepDims: true), g.Scalar(1f))));
            case PoolingMode.Max:
                return (MaskedPooling.ExportMax(g, values, mask), g.Mul(g.ToFloat(mask), g.Scalar(0f)));
            case PoolingMode.FirstToken:
                return (g.Op("Gather", new[] { values, g.Constant(new[] { 0L }) }, ("axis", 1L)), g.Mul(g.ToFloat(mask), g.Scalar(0f)));
            default:
                throw new InvalidOperationException($"Unknown pooling mode {_mode}.");
        }
    }
}
