using System.IO;
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
    public int PooledSize => OutputSize > 0 ? OutputSize : VectorSize;

    // *** Binary format ***
    // int: mode
    // int: vector size
    // int: score function
    // int: distribution
    // int: number of heads
    // int: hidden size of the scorer
    // int: query size (0: no query column)
    // int: output size (0: no projection)
    // int: half-width of local windows
    // double: temperature of hard attention
    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Mode);
        writer.Write(VectorSize);
        writer.Write((int)ScoreFunction);
        writer.Write((int)Distribution);
        writer.Write(NumberOfHeads);
        writer.Write(AttentionSize);
        writer.Write(QuerySize);
        writer.Write(OutputSize);
        writer.Write(LocalHalfWidth);
        writer.Write(Temperature);
    }

    public static PoolingArchitecture Read(BinaryReader reader) => new PoolingArchitecture(
        (PoolingMode)reader.ReadInt32(), reader.ReadInt32(), (AttentionScoreFunction)reader.ReadInt32(),
        (AttentionDistributionKind)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(),
        reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble());

    /// <summary>Builds the module; <paramref name="generator"/> drives hard attention's sampling during training.</summary>
    public SequencePoolingModule Build(torch.Generator? generator = null) => new SequencePoolingModule(this, generator);
}
