using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Base of the score functions: compares every query with every key. Inputs may carry any number of leading batch
// dimensions ([..., Tq, Dq] and [..., Tk, Dk], e.g. [B, heads, T, D] for multi-head attention); the leading
// dimensions must match (or broadcast).
internal abstract class AttentionScore : nn.Module
{
    protected AttentionScore(string name)
        : base(name)
    {
    }

    /// <summary>Scores [..., Tq, Tk] of query [..., Tq, Dq] against keys [..., Tk, Dk]; Tq = 1 when query is null.</summary>
    public abstract Tensor Score(Tensor? query, Tensor keys);

    /// <summary>
    /// <see cref="Score"/> in an exported graph, for one query per row: query [B, 1, Dq] (null for query-free scores) and
    /// keys [B, T, Dk] (Dk = <paramref name="keySize"/>) give scores [B, 1, T].
    /// </summary>
    public abstract string Export(ExportGraph g, string? query, string keys, long keySize);

    /// <summary>Whether the scores depend on the query. Query-free scores accept a null query.</summary>
    public virtual bool UsesQuery => true;

    /// <summary>Whether the score function has trainable parameters.</summary>
    public virtual bool HasParameters => parameters().Any();

    protected Tensor RequireQuery(Tensor? query)
        => query ?? throw new ArgumentNullException(nameof(query), $"The {GetType().Name} attention score needs a query.");

    protected string RequireQuery(string? query)
        => query ?? throw new ArgumentNullException(nameof(query), $"The {GetType().Name} attention score needs a query.");

    protected static void RequireSameDimension(Tensor query, Tensor keys)
    {
        if (query.shape[^1] != keys.shape[^1])
        {
            throw new ArgumentException(
                $"Query dimension {query.shape[^1]} differs from key dimension {keys.shape[^1]}; this score needs them equal.",
                nameof(keys));
        }
    }

    protected static void RequireLastDimension(Tensor tensor, long expected, string parameterName)
    {
        if (tensor.dim() < 2 || tensor.shape[^1] != expected)
        {
            throw new ArgumentException(
                $"Expected a tensor of shape [..., T, {expected}] but got [{string.Join(", ", tensor.shape)}].", parameterName);
        }
    }

    // Query-free scores of shape [..., 1, Tk]: repeated (as a view) over the query positions when a query is given,
    // so that callers always get [..., Tq, Tk].
    protected static Tensor ExpandOverQuery(Tensor scores, Tensor? query)
    {
        if (query is null)
            return scores;
        var shape = scores.shape.ToArray();
        shape[^2] = query.shape[^2];
        return scores.expand(shape);
    }
}
