using System.Text.Json.Serialization;

namespace Microsoft.ML.Attention.TextFeaturization;

// Saved as a JSON document of these named fields (ModuleCheckpoint.Save, ModelFormat).
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
    public int ClassificationTokenId => VocabularySize - ExtraTokenCount;

    /// <summary>Ids after the vocabulary's: the classification token, then the mask token.</summary>
    public const int ExtraTokenCount = 2;

    /// <summary>Token id that replaces hidden tokens in masked-token training.</summary>
    [JsonIgnore]
    public int MaskTokenId => VocabularySize - 1;
}
