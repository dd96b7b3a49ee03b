using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Multi-head attention (Vaswani et al.): q, k, v are projected to modelDim, split into `heads` slices of
// headDim = modelDim / heads, attended per head, concatenated and projected back. The score function is applied
// per head on headDim-dimensional slices; a parameterized score (General, Additive) is a single module shared by all
// heads. Masks: keyPaddingMask bool [B, Tk] (true = real token) and attentionMask bool [Tq, Tk] (or [B, Tq, Tk]),
// true = may attend; both are combined.
internal sealed class MultiHeadAttention : nn.Module
{
    private readonly Linear query_projection;
    private readonly Linear key_projection;
    private readonly Linear value_projection;
    private readonly Linear output_projection;
    private readonly AttentionScore score;
    private readonly AttentionDistribution distribution;
    private readonly FitDropout dropout;
    private readonly long _modelDim;
    private readonly long _heads;
    private readonly double _dropoutRate;
    private readonly bool _fusable;

    public MultiHeadAttention(
        int modelDim,
        int heads,
        double dropout = 0.0,
        AttentionScoreFunction scoreFunction = AttentionScoreFunction.ScaledDot,
        AttentionDistributionKind distributionKind = AttentionDistributionKind.Soft,
        int localHalfWidth = 0,
        double temperature = 1.0,
        Generator? generator = null)
        : base(nameof(MultiHeadAttention))
    {
        if (modelDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(modelDim), modelDim, "The model dimension must be positive.");
        if (heads <= 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, "The number of heads must be positive.");
        if (modelDim % heads != 0)
            throw new ArgumentException($"The model dimension {modelDim} is not divisible by the number of heads {heads}.", nameof(heads));
        if (!(dropout >= 0.0 && dropout < 1.0))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout rate must be in [0, 1).");
        if (scoreFunction is not (AttentionScoreFunction.Dot or AttentionScoreFunction.ScaledDot or AttentionScoreFunction.General
            or AttentionScoreFunction.Additive or AttentionScoreFunction.Cosine))
        {
            throw new ArgumentException(
                $"Multi-head attention supports the Dot, ScaledDot, General, Additive and Cosine scores, not {scoreFunction}.",
                nameof(scoreFunction));
        }

        _modelDim = modelDim;
        _heads = heads;
        _dropoutRate = dropout;
        var headDim = modelDim / heads;
        query_projection = nn.Linear(modelDim, modelDim);
        key_projection = nn.Linear(modelDim, modelDim);
        value_projection = nn.Linear(modelDim, modelDim);
        output_projection = nn.Linear(modelDim, modelDim);
        score = AttentionScores.Create(scoreFunction, headDim, headDim, headDim);
        distribution = AttentionDistributions.Create(distributionKind, headDim, localHalfWidth, temperature, generator);
        this.dropout = new FitDropout(dropout);
        _fusable = scoreFunction == AttentionScoreFunction.ScaledDot && distributionKind == AttentionDistributionKind.Soft;
        RegisterComponents();
    }

    public long ModelDim => _modelDim;

    public long Heads => _heads;

    public long HeadDim => _modelDim / _heads;

    /// <summary>
    /// query [B, Tq, modelDim], keys and values [B, Tk, modelDim]. Returns output [B, Tq, modelDim] and the per-head
    /// weights [B, heads, Tq, Tk] of the distribution (before dropout).
    /// </summary>
    public (Tensor output, Tensor weights) Forward(
        Tensor query, Tensor keys, Tensor values, Tensor? keyPaddingMask, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var (q, k, v, mask) = Prepare(query, keys, values, keyPaddingMask, attentionMask);
        var (perHead, weights) = HeadAttention.Attend(q, k, v, mask,
            (qh, kh, m) => distribution.NormalizeForQuery(score.Score(qh, kh), m, qh),   // scores [B, heads, Tq, Tk]
            _dropoutRate > 0.0 ? dropout.call : null);
        return (scope.MoveToOuter(Combine(perHead)), scope.MoveToOuter(weights!));
    }

    /// <summary>
    /// The output of <see cref="Forward"/> without the weights. Scaled-dot soft attention then runs in libtorch's
    /// fused kernel (unless attention dropout is active, whose random draws belong to the general path).
    /// </summary>
    public Tensor Attend(Tensor query, Tensor keys, Tensor values, Tensor? keyPaddingMask, Tensor? attentionMask)
    {
        if (!_fusable || (training && _dropoutRate > 0.0))
            return Forward(query, keys, values, keyPaddingMask, attentionMask).output;
        using var scope = NewDisposeScope();
        var (q, k, v, mask) = Prepare(query, keys, values, keyPaddingMask, attentionMask);
        return scope.MoveToOuter(Combine(HeadAttention.Attend(q, k, v, mask, weightsOf: null).Output));
    }

    /// <summary>
    /// The inference path of <see cref="Forward"/> in an exported graph, for scaled-dot soft attention (the other scores
    /// compare one query per row in their exports): query [B, Tq, modelDim], keys and values [B, Tk, modelDim] and
    /// <paramref name="allowed"/> bool broadcastable to [B, heads, Tq, Tk] give the output [B, Tq, modelDim] and the
    /// weights [B, heads, Tq, Tk]. Dropout is off at inference.
    /// </summary>
    public (string Output, string Weights) Export(ExportGraph g, string query, string keys, string values, string allowed)
    {
        if (!_fusable)
            throw new InvalidOperationException($"The ONNX export of multi-head attention covers the ScaledDot score with the Soft distribution, not {score.GetType().Name} with {distribution.GetType().Name}.");
        string SplitHeads(string x) => g.Op("Transpose", new[] { g.Op("Reshape", new[] { x, g.Constant(new[] { 0L, 0L, _heads, HeadDim }) }) },
            ("perm", new long[] { 0, 2, 1, 3 }));
        var q = SplitHeads(g.Linear(query, query_projection.weight!, query_projection.bias));
        var k = SplitHeads(g.Linear(keys, key_projection.weight!, key_projection.bias));
        var v = SplitHeads(g.Linear(values, value_projection.weight!, value_projection.bias));
        var keysT = g.Op("Transpose", new[] { k }, ("perm", new long[] { 0, 1, 3, 2 }));
        var scores = g.Div(g.MatMul(q, keysT), g.Scalar((float)Math.Sqrt(HeadDim)));
        var weights = Masking.ExportSoftmax(g, scores, allowed);
        var merged = g.Op("Reshape", new[] { g.Op("Transpose", new[] { g.MatMul(weights, v) }, ("perm", new long[] { 0, 2, 1, 3 })), g.Constant(new[] { 0L, 0L, _modelDim }) });
        return (g.Linear(merged, output_projection.weight!, output_projection.bias), weights);
    }

    // Checks the shapes, combines the masks ([B or 1, 1, Tq or 1, Tk], null if none) and projects q, k, v into heads.
    private (Tensor q, Tensor k, Tensor v, Tensor? mask) Prepare(
        Tensor query, Tensor keys, Tensor values, Tensor? keyPaddingMask, Tensor? attentionMask)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        RequireShape(query, nameof(query));
        RequireShape(keys, nameof(keys));
        RequireShape(values, nameof(values));
        var batch = query.shape[0];
        var queryLength = query.shape[1];
        var keyLength = keys.shape[1];
        if (keys.shape[0] != batch || values.shape[0] != batch || values.shape[1] != keyLength)
            throw new ArgumentException("The query, keys and values must have the same batch size, and keys and values the same length.");

        var mask = HeadAttention.CombineMasks(keyPaddingMask, attentionMask, batch, queryLength, keyLength);

        var q = SplitHeads(query_projection.call(query));   // [B, heads, Tq, headDim]
        var k = SplitHeads(key_projection.call(keys));      // [B, heads, Tk, headDim]
        var v = SplitHeads(value_projection.call(values));  // [B, heads, Tk, headDim]
        return (q, k, v, mask);
    }

    // Per-head results [B, heads, Tq, headDim] → concatenated and projected back [B, Tq, modelDim].
    private Tensor Combine(Tensor perHead) => output_projection.call(HeadAttention.MergeHeads(perHead));

    private Tensor SplitHeads(Tensor x) => HeadAttention.SplitHeads(x, _heads);

    private void RequireShape(Tensor x, string name)
    {
        if (x.dim() != 3 || x.shape[2] != _modelDim)
            throw new ArgumentException($"Expected [B, T, {_modelDim}], got [{string.Join(", ", x.shape)}].", name);
    }
}
