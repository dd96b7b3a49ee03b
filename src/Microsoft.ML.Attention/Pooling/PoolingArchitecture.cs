using System.IO;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>Everything needed to rebuild a <see cref="SequencePoolingModule"/> before its weights are loaded.</summary>
internal sealed record PoolingArchitecture(PoolingMode Mode, int VectorSize, AttentionScoreFunction ScoreFunction, int HiddenSize)
{
    // *** Binary format ***
    // int: mode
    // int: vector size
    // int: score function
    // int: hidden size of the scorer
    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Mode);
        writer.Write(VectorSize);
        writer.Write((int)ScoreFunction);
        writer.Write(HiddenSize);
    }

    public static PoolingArchitecture Read(BinaryReader reader)
        => new PoolingArchitecture((PoolingMode)reader.ReadInt32(), reader.ReadInt32(), (AttentionScoreFunction)reader.ReadInt32(), reader.ReadInt32());

    public SequencePoolingModule Build() => new SequencePoolingModule(this);
}
