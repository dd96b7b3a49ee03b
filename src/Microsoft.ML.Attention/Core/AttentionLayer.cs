using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Single-head attention = score function + distribution (+ dropout on the weights):
//   scores = score(query, keys) [B, Tq, Tk], weights = distribution(scores, keyMask), context = weights @ values.
// The building block of attention pooling (query-free Location score, Tq = 1) and of HAN word/sentence attention.
internal sealed class AttentionLayer : nn.Module
{
    private readonly AttentionScore score;
    private readonly AttentionDistribution distribution;
    private readonly FitDropout dropout;
    private readonly double _dropoutRate;

    public AttentionLayer(AttentionScore score, AttentionDistribution distribution, double dropout = 0.0)
        : base(nameof(AttentionLayer))
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(distribution);
        if (!(dropout >= 0.0 && dropout < 1.0))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout rate must be in [0, 1).");
        this.score = score;
        this.distribution = distribution;
        this.dropout = new FitDropout(dropout);
        _dropoutRate = dropout;
        RegisterComponents();
    }

    public AttentionScore ScoreFunction => score;

    public AttentionDistribution Distribution => distribution;

    // Builds the layer from the public option enums. hiddenSize is the score's hidden size (Additive, Location, Mlp).
    public static AttentionLayer Create(
        AttentionScoreFunction scoreFunction,
        AttentionDistributionKind distributionKind,
        int queryDim,
        int keyDim,
        int hiddenSize,
        int localHalfWidth = 0,
        double temperature = 1.0,
        double dropout = 0.0,
        Generator? generator = null)
    {
        var score = AttentionScores.Create(scoreFunction, queryDim, keyDim, hiddenSize);
        var distribution = AttentionDistributions.Create(distributionKind, queryDim, localHalfWidth, temperature, generator);
        return new AttentionLayer(score, distribution, dropout);
    }

    /// <summary>
    /// Attends query [B, Tq, Dq] (null for query-free scores; then Tq = 1) over keys [B, Tk, Dk] and values
    /// [B, Tk, Dv]; keyMask is bool [B, Tk], true = real key. Returns context [B, Tq, Dv] and the weights
    /// [B, Tq, Tk] of the distribution (before dropout, so their rows sum to 1, or to 0 for rows without keys).
    /// </summary>
    public (Tensor context, Tensor weights) Forward(Tensor? query, Tensor keys, Tensor values, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        if (keys.dim() != 3 || values.dim() != 3 || keys.shape[0] != values.shape[0] || keys.shape[1] != values.shape[1])
        {
            throw new ArgumentException(
                $"Expected keys [B, Tk, Dk] and values [B, Tk, Dv], got [{string.Join(", ", keys.shape)}] and [{string.Join(", ", values.shape)}].");
        }
        if (query is not null && (query.dim() != 3 || query.shape[0] != keys.shape[0]))
            throw new ArgumentException($"Expected a query [B, Tq, Dq], got [{string.Join(", ", query.shape)}].", nameof(query));
        if (keyMask is not null && (keyMask.dim() != 2 || keyMask.shape[0] != keys.shape[0] || keyMask.shape[1] != keys.shape[1]))
            throw new ArgumentException($"Expected a key mask [B, Tk], got [{string.Join(", ", keyMask.shape)}].", nameof(keyMask));
        if (query is null && score.UsesQuery)
            throw new ArgumentNullException(nameof(query), "This attention score needs a query.");

        using var scope = NewDisposeScope();
        var scores = score.Score(query, keys);
        var weights = distribution.NormalizeForQuery(scores, keyMask?.unsqueeze(-2), query);
        var attended = _dropoutRate > 0.0 ? dropout.call(weights) : weights;
        var context = attended.matmul(values);
        return (scope.MoveToOuter(context), scope.MoveToOuter(weights));
    }

    /// <summary>
    /// The inference path of <see cref="Forward"/> in an exported graph, for one query per row: query [B, 1, Dq] (null
    /// for query-free attention), keys [B, T, Dk] of size <paramref name="keySize"/>, values [B, T, Dv] and keyMask
    /// bool [B, T], with T ≥ 1, give context [B, 1, Dv] and weights [B, 1, T]. Dropout is off at inference.
    /// </summary>
    public (string Context, string Weights) Export(ExportGraph g, string? query, string keys, long keySize, string values, string keyMask)
    {
        var scores = score.Export(g, query, keys, keySize);
        var weights = distribution.Export(g, scores, g.Unsqueeze(keyMask, -2), query);
        return (g.MatMul(weights, values), weights);
    }
}
