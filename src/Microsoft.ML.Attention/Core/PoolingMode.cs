namespace Microsoft.ML.Attention;

/// <summary>
/// How a sequence of vectors becomes one vector: used by <see cref="AttentionPoolingEstimator"/> (a column of vectors)
/// and by <see cref="SelfAttentionFeaturizingEstimator"/> (the encoder's token vectors).
/// </summary>
public enum PoolingMode
{
    /// <summary>A weighted sum of the vectors, with weights from an attention score and distribution.</summary>
    Attention = 0,

    /// <summary>The plain average of the vectors; a baseline that shows what attention adds.</summary>
    Mean = 1,

    /// <summary>The element-wise maximum of the vectors; a baseline that shows what attention adds.</summary>
    Max = 2,

    /// <summary>
    /// The vector of a classification token placed before the text (featurizer only: a column of vectors has no such token).
    /// </summary>
    FirstToken = 3,
}
