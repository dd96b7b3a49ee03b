namespace Microsoft.ML.Attention;

/// <summary>What <see cref="AttentionPoolingEstimator"/> does with NaN or infinite values in a sequence.</summary>
public enum NonFiniteValueHandling
{
    /// <summary>Fail with an error naming the column, the row and the value.</summary>
    Throw = 0,

    /// <summary>Treat a position with any NaN or infinite value as missing: it is masked and gets weight 0.</summary>
    MaskPosition = 1,
}
