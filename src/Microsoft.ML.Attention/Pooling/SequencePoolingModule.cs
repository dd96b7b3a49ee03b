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
/// The pooling itself is Core's <see cref="SequencePooling"/>; this module owns its heads and the projection.
/// </summary>
internal sealed class SequencePoolingModule : nn.Module
{
    private readonly PoolingArchitecture _architecture;
    private readonly SequencePooling _pooling;

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
        _pooling = new SequencePooling(architecture.Mode, heads);
        RegisterComponents();
    }

    public (Tensor Pooled, Tensor Weights) Pool(Tensor values, Tensor mask, Tensor? query)
    {
        using var scope = torch.NewDisposeScope();
        var (pooled, weights) = _pooling.Pool(values, mask, query);
        if (projection is not null)
            pooled = projection.call(pooled);
        return (pooled.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary><see cref="Pool"/> in an exported graph: values [B, T, D] with T ≥ 1, mask bool [B, T], query [B, Dq] or null.</summary>
    public (string Pooled, string Weights) Export(ExportGraph g, string values, string mask, string? query)
    {
        var (pooled, weights) = _pooling.Export(g, values, mask, query, _architecture.VectorSize);
        if (projection is not null)
            pooled = g.Add(g.MatMul(pooled, g.TransposedWeight(projection.weight!)), g.Weight(projection.bias!));
        return (pooled, weights);
    }
}
