namespace Microsoft.ML.Attention.Core;

/// <summary>
/// The properties of each <see cref="AttentionScoreFunction"/>, in one place: the components' option checks ask these
/// instead of listing score functions themselves, so a new score function is described here once.
/// </summary>
internal static class AttentionScoreFacts
{
    /// <summary>
    /// The score compares a query with each key, so it cannot work without one (Dot, ScaledDot, Cosine, General, Additive).
    /// Location scores against a learned context vector and ignores any query; Mlp uses a query when there is one.
    /// </summary>
    public static bool RequiresQuery(this AttentionScoreFunction score)
        => score is AttentionScoreFunction.Dot or AttentionScoreFunction.ScaledDot or AttentionScoreFunction.Cosine
            or AttentionScoreFunction.General or AttentionScoreFunction.Additive;

    /// <summary>The score can use a query vector (every score but Location).</summary>
    public static bool AcceptsQuery(this AttentionScoreFunction score) => score != AttentionScoreFunction.Location;

    /// <summary>The score has no parameters to learn (Dot, ScaledDot, Cosine).</summary>
    public static bool IsParameterFree(this AttentionScoreFunction score)
        => score is AttentionScoreFunction.Dot or AttentionScoreFunction.ScaledDot or AttentionScoreFunction.Cosine;

    /// <summary>The score compares query and key directly, so their sizes must be equal (Dot, ScaledDot, Cosine).</summary>
    public static bool NeedsEqualSizes(this AttentionScoreFunction score) => score.IsParameterFree();
}
