using System.IO;
using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;

namespace Microsoft.ML.Attention.Pooling;

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

    // *** Format ***
    // string: a JSON object with one field per constructor parameter, enums by name (see ModelFormat)
    public void Write(BinaryWriter writer) => ModelFormat.WriteConfig(writer, this);

    public static PoolingArchitecture Read(BinaryReader reader) => ModelFormat.ReadConfig<PoolingArchitecture>(reader, "pooling architecture");

    /// <summary>Builds the module; <paramref name="generator"/> drives hard attention's sampling during training.</summary>
    public SequencePoolingModule Build(torch.Generator? generator = null) => new SequencePoolingModule(this, generator);
}
