using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>
/// Pools values [B, T, D] with a mask [B, T] (and an optional query [B, Dq]) into [B, PooledSize],
/// returning the weights [B, T] it used. Several heads attend independently; their vectors and weights
/// are averaged, so the weights still sum to 1. Mean pooling reports its uniform weights, max pooling none.
/// </summary>
internal sealed class SequencePoolingModule : nn.Module
{
    private readonly PoolingArchitecture _architecture;

    // Checkpoint keys "heads.{i}.…" (attention mode) and "projection.…" (when OutputSize > 0).
    private readonly ModuleList<AttentionLayer>? heads;
    private readonly Linear? projection;

    public SequencePoolingModule(PoolingArchitecture architecture, Generator? generator) : base(nameof(SequencePoolingModule))
    {
        _architecture = architecture;
        if (architecture.Mode == PoolingMode.Attention)
        {
            // Without a query column the scores are query-free (query size 0); local-p then predicts its
            // window centre from the sequence's mean vector.
            var distributionQuerySize = architecture.QuerySize > 0 ? architecture.QuerySize : architecture.VectorSize;
            heads = new ModuleList<AttentionLayer>(Enumerable.Range(0, architecture.NumberOfHeads).Select(_ => new AttentionLayer(
                AttentionScores.Create(architecture.ScoreFunction, architecture.QuerySize, architecture.VectorSize, architecture.AttentionSize),
                AttentionDistributions.Create(architecture.Distribution, distributionQuerySize, architecture.LocalHalfWidth,
                    architecture.Temperature, generator))).ToArray());
        }
        if (architecture.OutputSize > 0)
            projection = nn.Linear(architecture.VectorSize, architecture.OutputSize);
        RegisterComponents();
    }

    public (Tensor Pooled, Tensor Weights) Pool(Tensor values, Tensor mask, Tensor? query)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pooled, weights;
        switch (_architecture.Mode)
        {
            case PoolingMode.Attention:
                var headQuery = query?.unsqueeze(1);
                if (headQuery is null && heads![0].Distribution.RequiresQuery)
                    headQuery = MaskedPooling.Mean(values, mask).unsqueeze(1);
                var contexts = new Tensor[heads!.Count];
                var headWeights = new Tensor[heads.Count];
                for (int h = 0; h < heads.Count; h++)
                {
                    var (context, attended) = heads[h].Forward(headQuery, values, values, mask);
                    contexts[h] = context.squeeze(1);
                    headWeights[h] = attended.squeeze(1);
                }
                pooled = heads.Count == 1 ? contexts[0] : torch.stack(contexts).mean(new long[] { 0 });
                weights = heads.Count == 1 ? headWeights[0] : torch.stack(headWeights).mean(new long[] { 0 });
                break;
            case PoolingMode.Mean:
                weights = Masking.Softmax(torch.zeros(mask.shape, dtype: values.dtype), mask);
                pooled = torch.bmm(weights.unsqueeze(1), values).squeeze(1);
                break;
            case PoolingMode.Max:
                weights = torch.zeros(mask.shape, dtype: values.dtype);
                pooled = MaskedPooling.Max(values, mask);
                break;
            default:
                throw new InvalidOperationException($"Unknown pooling mode {_architecture.Mode}.");
        }
        if (projection is not null)
            pooled = projection.call(pooled);
        return (pooled.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

}
