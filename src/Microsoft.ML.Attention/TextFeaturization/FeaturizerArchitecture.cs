using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;

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
    double Dropout) : ICheckpointArchitecture
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

    /// <inheritdoc/>
    public string? Problem()
    {
        if (VocabularySize <= ExtraTokenCount || Width < 2 || Width % 2 != 0 || MaximumTokens < 2 || LocalHalfWidth < 0 || OutputSize < 0)
            return "VocabularySize must exceed 2, Width be even and positive, MaximumTokens at least 2, LocalHalfWidth and OutputSize not negative.";
        if (Variant == SelfAttentionVariant.Encoder && (NumberOfLayers < 1 || FeedForwardSize < 1 || NumberOfHeads < 1 || Width % NumberOfHeads != 0))
            return $"NumberOfLayers {NumberOfLayers} and FeedForwardSize {FeedForwardSize} must be positive and NumberOfHeads {NumberOfHeads} divide Width {Width}.";
        if (!(Dropout >= 0 && Dropout < 1))
            return $"Dropout {Dropout} must be in [0, 1).";
        return null;
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
    {
        var shapes = new List<(string, long[])> { ("token_embedding.weight", new long[] { VocabularySize, Width }) };
        if (Positions == PositionEncoding.Learned)
            shapes.Add(("position_embedding.weight", new long[] { MaximumTokens, Width }));
        if (Variant == SelfAttentionVariant.Encoder)
        {
            // The first and the last layer: a layer count larger than the checkpoint's is refused before any layer is built.
            foreach (var layer in new[] { 0, NumberOfLayers - 1 }.Distinct())
                shapes.Add(($"layers.{layer}.feed_forward_in.weight", new long[] { FeedForwardSize, Width }));
        }
        else
            shapes.Add(("lightweight.key_projection.weight", new long[] { Width, Width }));
        if (OutputSize > 0)
            shapes.Add(("projection.weight", new long[] { OutputSize, Width }));
        return shapes;
    }
}
