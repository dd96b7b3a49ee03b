using System.Text.Json.Serialization;
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
    double Temperature)
{
    /// <summary>Size of the pooled vector: the projection's size, or the size of the sequence's vectors.</summary>
    [JsonIgnore]
    public int PooledSize => OutputSize > 0 ? OutputSize : VectorSize;

    /// <summary>Builds the module; <paramref name="generator"/> drives hard attention's sampling during training.</summary>
    public SequencePoolingModule Build(torch.Generator? generator = null) => new SequencePoolingModule(this, generator);
}
