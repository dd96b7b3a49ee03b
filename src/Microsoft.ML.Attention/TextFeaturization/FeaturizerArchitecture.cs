using System.IO;
using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Infrastructure;

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
    int LocalHalfWidth,
    PoolingMode Pooling,
    int OutputSize,
    double Dropout)
{
    /// <summary>Size of the output vector.</summary>
    [JsonIgnore]
    public int PooledSize => OutputSize > 0 ? OutputSize : Width;

    /// <summary>Token id placed before every text (for first-token pooling).</summary>
    [JsonIgnore]
    public int ClassificationTokenId => VocabularySize - 2;

    /// <summary>Token id that replaces hidden tokens in masked-token training.</summary>
    [JsonIgnore]
    public int MaskTokenId => VocabularySize - 1;

    // *** Format ***
    // string: a JSON object with one field per constructor parameter, enums by name (see ModelFormat)
    public void Write(BinaryWriter writer) => ModelFormat.WriteConfig(writer, this);

    public static FeaturizerArchitecture Read(BinaryReader reader) => ModelFormat.ReadConfig<FeaturizerArchitecture>(reader, "encoder architecture");
}
