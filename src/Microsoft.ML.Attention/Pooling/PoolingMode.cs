namespace Microsoft.ML.Attention;

/// <summary>How <see cref="AttentionPoolingEstimator"/> turns a sequence of vectors into one vector.</summary>
public enum PoolingMode
{
    /// <summary>A weighted sum of the vectors, with weights from an attention score and distribution.</summary>
    Attention = 0,

    /// <summary>The plain average of the vectors; a baseline that shows what attention adds.</summary>
    Mean = 1,

    /// <summary>The element-wise maximum of the vectors; a baseline that shows what attention adds.</summary>
    Max = 2,
}
