namespace Microsoft.ML.Attention;

/// <summary>
/// How an attention layer turns the scores <c>s_j</c> of one query over the keys <c>j = 0 … T-1</c> into weights
/// <c>a_j</c>. Masked positions (padding, positions outside a window) always get weight 0, and a query with no
/// allowed position gets all-zero weights.
/// </summary>
public enum AttentionDistributionKind
{
    /// <summary>
    /// Soft attention: <c>a_j = exp(s_j) / Σ_i exp(s_i)</c>, the softmax over the allowed positions.
    /// </summary>
    Soft,

    /// <summary>
    /// Hard attention: a one-hot choice of one position. While training, the choice is the argmax of a Gumbel-softmax
    /// sample <c>y = softmax((s + g) / τ)</c> with <c>g_j = -log(-log(u_j))</c>, <c>u_j ~ U(0, 1)</c> and temperature
    /// <c>τ</c>, and gradients are those of <c>y</c> (straight-through estimator). At inference, the choice is
    /// <c>argmax_j s_j</c>.
    /// </summary>
    Hard,

    /// <summary>
    /// Local attention with a monotonic window (Luong "local-m"): for query position <c>t</c> and half-width
    /// <c>D</c>, <c>a_j = softmax(s)_j</c> over the allowed positions with <c>|j - t| ≤ D</c>, and 0 elsewhere.
    /// </summary>
    Local,

    /// <summary>
    /// Local attention with a predicted window (Luong "local-p"): the center is
    /// <c>p_t = S · sigmoid(v_pᵀ tanh(W_p q_t))</c>, with <c>S</c> the index of the last allowed position, and
    /// <c>a_j = softmax(s)_j · exp(-(j - p_t)² / (2σ²))</c> over the allowed positions with <c>|j - p_t| ≤ D</c>,
    /// where <c>σ = D / 2</c>. As in Luong et al., the Gaussian is not renormalized, so weights sum to at most 1.
    /// </summary>
    LocalPredictive,
}
