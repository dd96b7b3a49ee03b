namespace Microsoft.ML.Attention;

/// <summary>
/// How an attention layer scores a query vector <c>q</c> (dimension <c>Dq</c>) against a key vector
/// <c>k</c> (dimension <c>Dk</c>). The scores of one query over all keys are then turned into weights by an
/// <see cref="AttentionDistributionKind"/>.
/// </summary>
public enum AttentionScoreFunction
{
    /// <summary>Dot product (Luong "dot"): <c>score(q, k) = qᵀk</c>. Requires <c>Dq = Dk</c>; no parameters.</summary>
    Dot,

    /// <summary>
    /// Scaled dot product (Vaswani et al.): <c>score(q, k) = qᵀk / √Dk</c>. Requires <c>Dq = Dk</c>; no parameters.
    /// </summary>
    ScaledDot,

    /// <summary>
    /// Bilinear form (Luong "general"): <c>score(q, k) = qᵀ W k</c> with a learned matrix <c>W</c> of shape
    /// <c>Dq × Dk</c>.
    /// </summary>
    General,

    /// <summary>
    /// Additive attention (Bahdanau, Luong "concat"): <c>score(q, k) = vᵀ tanh(W q + U k)</c> with learned
    /// <c>W</c> (<c>H × Dq</c>), <c>U</c> (<c>H × Dk</c>) and <c>v</c> (<c>H</c>), where <c>H</c> is the hidden size.
    /// </summary>
    Additive,

    /// <summary>
    /// Cosine similarity: <c>score(q, k) = qᵀk / (‖q‖ ‖k‖)</c>, in [-1, 1]. Requires <c>Dq = Dk</c>; no parameters.
    /// A zero vector scores 0 against everything.
    /// </summary>
    Cosine,

    /// <summary>
    /// Query-free, location-based attention (the word and sentence attention of hierarchical attention networks):
    /// <c>score(k) = vᵀ tanh(W k + b)</c> with learned <c>W</c> (<c>H × Dk</c>), <c>b</c> (<c>H</c>) and a learned
    /// context vector <c>v</c> (<c>H</c>). Any query is ignored.
    /// </summary>
    Location,

    /// <summary>
    /// Two-layer perceptron over the concatenation of query and key:
    /// <c>score(q, k) = w₂ᵀ act(W₁ [q; k] + b₁) + b₂</c> with hidden size <c>H</c> and activation <c>act</c>
    /// (tanh by default); over <c>k</c> alone when there is no query.
    /// </summary>
    Mlp,
}
