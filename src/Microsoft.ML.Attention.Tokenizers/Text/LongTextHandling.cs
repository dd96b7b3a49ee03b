namespace Microsoft.ML.Attention;

/// <summary>What happens to texts longer than <c>MaximumTokens</c>.</summary>
public enum LongTextHandling
{
    /// <summary>Keep the first and the last tokens (half of the budget each) and drop the middle.</summary>
    HeadAndTail = 0,

    /// <summary>Encode consecutive windows of <c>MaximumTokens</c> tokens and average their vectors; nothing is dropped.</summary>
    SlidingWindow = 1,
}
