namespace Microsoft.ML.Attention;

/// <summary>The network inside <see cref="SelfAttentionFeaturizingEstimator"/>.</summary>
public enum SelfAttentionVariant
{
    /// <summary>Pre-norm Transformer encoder layers: multi-head self-attention and a feed-forward block each.</summary>
    Encoder = 0,

    /// <summary>
    /// For short texts such as chatbot intents: one attention layer straight over the embeddings
    /// (query = value = embeddings, key = tanh(W x + b)), no feed-forward block. Faster, fewer parameters.
    /// </summary>
    Lightweight = 1,
}

/// <summary>How token positions are encoded.</summary>
public enum PositionEncoding
{
    /// <summary>Fixed sine and cosine waves (Vaswani et al.); nothing to learn, works for any length.</summary>
    Sinusoidal = 0,

    /// <summary>A learned vector per position up to <c>MaximumTokens</c>.</summary>
    Learned = 1,
}
