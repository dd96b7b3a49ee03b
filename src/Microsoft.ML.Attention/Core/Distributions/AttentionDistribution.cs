using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Base of the distributions: turns scores [..., Tq, Tk] into weights of the same shape over the last dimension.
// The mask (bool, broadcastable to the scores, true = may be attended) is always honored exactly: weights at masked
// positions are 0, and a row without any allowed position is all zeros (never NaN, also in gradients).
internal abstract class AttentionDistribution : nn.Module
{
    protected AttentionDistribution(string name)
        : base(name)
    {
    }

    /// <summary>Weights [..., Tq, Tk] from scores [..., Tq, Tk] and an optional mask broadcastable to the scores.</summary>
    public abstract Tensor Normalize(Tensor scores, Tensor? mask);

    /// <summary>
    /// The inference path (eval mode) of <see cref="NormalizeForQuery"/> in an exported graph: scores [B, 1, T] with
    /// T ≥ 1, mask bool [B, 1, T] and the query [B, 1, Dq] (null without one) give weights [B, 1, T].
    /// </summary>
    public abstract string Export(ExportGraph g, string scores, string mask, string? query);

    /// <summary>Whether the distribution needs the query (local-p predicts its window from it).</summary>
    public virtual bool RequiresQuery => false;

    /// <summary>
    /// Entry point for attention layers, which always have the query at hand (query [..., Tq, Dq], or null for
    /// query-free attention). Distributions that do not need it ignore it.
    /// </summary>
    public virtual Tensor NormalizeForQuery(Tensor scores, Tensor? mask, Tensor? query) => Normalize(scores, mask);
}
