using System.IO;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>Everything needed to rebuild a <see cref="SelfAttentionEncoder"/> before its weights are loaded.</summary>
internal sealed record FeaturizerArchitecture(
    int VocabularySize,
    SelfAttentionVariant Variant,
    int Width,
    int NumberOfLayers,
    int NumberOfHeads,
    int FeedForwardSize,
    PositionEncoding Positions,
    int MaximumTokens,
    int LocalWindow,
    TokenPooling Pooling,
    int OutputSize,
    double Dropout)
{
    /// <summary>Size of the output vector.</summary>
    public int PooledSize => OutputSize > 0 ? OutputSize : Width;

    /// <summary>Token id placed before every text (for first-token pooling).</summary>
    public int ClassificationTokenId => VocabularySize - 2;

    /// <summary>Token id that replaces hidden tokens in masked-token training.</summary>
    public int MaskTokenId => VocabularySize - 1;

    // *** Binary format ***
    // int: vocabulary size (words, padding, unknown, classification and mask tokens)
    // int: variant
    // int: width
    // int: layers
    // int: heads
    // int: feed-forward size
    // int: position encoding
    // int: maximum tokens per window (including the classification token)
    // int: local attention half-width (0: global)
    // int: pooling
    // int: output size (0: width)
    // double: dropout
    public void Write(BinaryWriter writer)
    {
        writer.Write(VocabularySize);
        writer.Write((int)Variant);
        writer.Write(Width);
        writer.Write(NumberOfLayers);
        writer.Write(NumberOfHeads);
        writer.Write(FeedForwardSize);
        writer.Write((int)Positions);
        writer.Write(MaximumTokens);
        writer.Write(LocalWindow);
        writer.Write((int)Pooling);
        writer.Write(OutputSize);
        writer.Write(Dropout);
    }

    public static FeaturizerArchitecture Read(BinaryReader reader) => new FeaturizerArchitecture(
        reader.ReadInt32(), (SelfAttentionVariant)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(),
        reader.ReadInt32(), (PositionEncoding)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), (TokenPooling)reader.ReadInt32(),
        reader.ReadInt32(), reader.ReadDouble());
}
