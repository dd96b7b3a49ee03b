using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;

namespace Microsoft.ML.Attention.Pooling;

// Saved as a JSON document of these named fields (ModuleCheckpoint.Save, ModelFormat).
/// <summary>Everything needed to rebuild a <see cref="SequencePoolingModule"/> before its weights are loaded.</summary>
internal sealed record PoolingArchitecture(
    PoolingMode Mode,
    int VectorSize,
    AttentionScoreFunction ScoreFunction,
    AttentionDistributionKind Distribution,
    int NumberOfHeads,
    int AttentionSize,
    int QuerySize,
    int OutputSize,
    int LocalHalfWidth,
    double Temperature) : ICheckpointArchitecture
{
    /// <summary>
    /// Heads without weights (parameter-free scores) are not counted by the checkpoint, so a saved model may hold at
    /// most this many; heads with weights are as many as the checkpoint holds.
    /// </summary>
    public const int MaxWeightlessHeads = 1024;

    /// <summary>Size of the pooled vector: the projection's size, or the size of the sequence's vectors.</summary>
    [JsonIgnore]
    public int PooledSize => OutputSize > 0 ? OutputSize : VectorSize;

    /// <summary>Builds the module; <paramref name="generator"/> drives hard attention's sampling during training.</summary>
    public SequencePoolingModule Build(torch.Generator? generator = null) => new SequencePoolingModule(this, generator);

    /// <inheritdoc/>
    public string? Problem()
    {
        if (VectorSize < 1 || QuerySize < 0 || OutputSize < 0)
            return $"VectorSize {VectorSize} must be positive, QuerySize {QuerySize} and OutputSize {OutputSize} not negative.";
        if (Mode != PoolingMode.Attention)
            return null;
        if (NumberOfHeads < 1 || AttentionSize < 1)
            return $"NumberOfHeads {NumberOfHeads} and AttentionSize {AttentionSize} must be positive.";
        if (ScoreFunction.IsParameterFree() && NumberOfHeads > MaxWeightlessHeads)
            return $"NumberOfHeads {NumberOfHeads} exceeds {MaxWeightlessHeads}, the most heads without weights a saved model may have.";
        if (ScoreFunction.RequiresQuery() && QuerySize == 0 || ScoreFunction.NeedsEqualSizes() && QuerySize != VectorSize)
            return $"the {ScoreFunction} score cannot compare queries of size {QuerySize} with vectors of size {VectorSize}.";
        if (Distribution == AttentionDistributionKind.Local && LocalHalfWidth < 0 || Distribution == AttentionDistributionKind.LocalPredictive && LocalHalfWidth < 1)
            return $"LocalHalfWidth {LocalHalfWidth} is out of range for {Distribution} attention.";
        if (Distribution == AttentionDistributionKind.Hard && !(Temperature > 0 && double.IsFinite(Temperature)))
            return $"Temperature {Temperature} must be a positive number for hard attention.";
        return null;
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
    {
        var shapes = new List<(string, long[])>();
        if (Mode == PoolingMode.Attention)
        {
            // The first and the last head: a head count larger than the checkpoint's is refused before any head is built.
            int distributionQuerySize = QuerySize > 0 ? QuerySize : VectorSize;
            foreach (var head in new[] { 0, NumberOfHeads - 1 }.Distinct())
            {
                shapes.AddRange(AttentionScores.WeightShapes(ScoreFunction, QuerySize, VectorSize, AttentionSize)
                    .Select(w => ($"heads.{head}.score.{w.Name}", w.Shape)));
                if (Distribution == AttentionDistributionKind.LocalPredictive)
                    shapes.Add(($"heads.{head}.distribution.position_projection.weight", new long[] { distributionQuerySize, distributionQuerySize }));
            }
        }
        if (OutputSize > 0)
            shapes.Add(("projection.weight", new long[] { OutputSize, VectorSize }));
        return shapes;
    }
}
