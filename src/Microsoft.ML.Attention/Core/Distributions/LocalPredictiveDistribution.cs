using System;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Luong local-p attention. The center is predicted from the query:
//   p_t = S · sigmoid(v_pᵀ tanh(W_p q_t)),  S = (number of allowed keys of the row) - 1,
// so p_t lies in [0, S]; S counts allowed positions, i.e. it assumes they are a prefix (padding at the end).
// The weights are Luong's eq. (10):
//   a_t(j) = softmax over allowed j with |j - p_t| <= D of the scores, times exp(-(j - p_t)² / (2σ²)), σ = D / 2.
// As in the paper the Gaussian factor is NOT renormalized: rows sum to at most 1 (less than 1 unless the whole mass
// sits exactly on p_t). The Gaussian is what makes p_t (and so W_p, v_p) trainable.
internal sealed class LocalPredictiveDistribution : AttentionDistribution
{
    private readonly Linear position_projection;
    private readonly Linear position_vector;
    private readonly long _queryDim;
    private readonly long _halfWidth;

    public LocalPredictiveDistribution(long queryDim, long halfWidth, long hiddenSize)
        : base(nameof(LocalPredictiveDistribution))
    {
        if (queryDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(queryDim), queryDim, "The query dimension must be positive.");
        if (halfWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(halfWidth), halfWidth, "The half-width must be positive (σ = D / 2).");
        if (hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        _queryDim = queryDim;
        _halfWidth = halfWidth;
        position_projection = nn.Linear(queryDim, hiddenSize, hasBias: false);
        position_vector = nn.Linear(hiddenSize, 1, hasBias: false);
        RegisterComponents();
    }

    public long HalfWidth => _halfWidth;

    public double Sigma => _halfWidth / 2.0;

    /// <summary>W_p [H, Dq].</summary>
    public Tensor PositionWeight => position_projection.weight!;

    /// <summary>v_p as a [1, H] matrix.</summary>
    public Tensor PositionVector => position_vector.weight!;

    public override bool RequiresQuery => true;

    public override Tensor Normalize(Tensor scores, Tensor? mask)
        => throw new InvalidOperationException("Local-p attention predicts its window from the query; call the overload that takes it.");

    public override Tensor NormalizeForQuery(Tensor scores, Tensor? mask, Tensor? query)
        => Normalize(scores, mask, query ?? throw new ArgumentNullException(nameof(query), "Local-p attention needs a query."));

    /// <summary>Weights [..., Tq, Tk] for scores [..., Tq, Tk], an optional mask and the query [..., Tq, Dq].</summary>
    public Tensor Normalize(Tensor scores, Tensor? mask, Tensor query)
    {
        if (scores.shape[^1] == 0)
            return scores * Scalars.Zero;
        using var scope = NewDisposeScope();
        var centers = PredictCenters(scores, mask, query);
        var positions = Scalars.Range(scores.shape[^1], centers.dtype, scores.device);
        var offsets = positions - centers.unsqueeze(-1);                  // [..., Tq, Tk]
        using var halfWidth = _halfWidth.ToScalar();
        var window = offsets.detach().abs() <= halfWidth;
        var soft = Masking.Softmax(scores, Masking.Combine(mask, window));
        using var variance = (-2.0 * Sigma * Sigma).ToScalar();
        var gaussian = (offsets * offsets / variance).exp();
        return scope.MoveToOuter(soft * gaussian);
    }

    public override string Export(ExportGraph g, string scores, string mask, string? query)
    {
        var relative = g.Unary("Sigmoid", g.Squeeze(g.MatMul(g.Unary("Tanh", g.MatMul(query ?? throw new ArgumentNullException(nameof(query), "Local-p attention needs a query."),
            g.TransposedWeight(PositionWeight))), g.TransposedWeight(PositionVector)), -1));                            // [B, 1]
        var last = g.Max(g.Sub(g.ReduceSum(g.ToFloat(mask), -1, keepDims: false), g.Scalar(1f)), g.Scalar(0f));        // [B, 1]
        var offsets = g.Sub(g.Positions(scores, -1), g.Unsqueeze(g.Mul(last, relative), -1));                       // [B, 1, T]
        var window = g.AtMost(g.Unary("Abs", offsets), g.Scalar(_halfWidth));
        var soft = Masking.ExportSoftmax(g, scores, g.Op("And", new[] { mask, window }));
        return g.Mul(soft, g.Unary("Exp", g.Div(g.Mul(offsets, offsets), g.Scalar((float)(-2.0 * Sigma * Sigma)))));
    }

    /// <summary>The predicted centers p_t [..., Tq] for the given scores' shape, mask and query.</summary>
    public Tensor PredictCenters(Tensor scores, Tensor? mask, Tensor query)
    {
        if (query.dim() < 2 || query.shape[^1] != _queryDim || query.shape[^2] != scores.shape[^2])
        {
            throw new ArgumentException(
                $"Expected a query of shape [..., {scores.shape[^2]}, {_queryDim}] but got [{string.Join(", ", query.shape)}].",
                nameof(query));
        }
        using var scope = NewDisposeScope();
        var relative = position_vector.call(position_projection.call(query).tanh()).squeeze(-1).sigmoid();   // [..., Tq]
        if (mask is null)
        {
            using var lastPosition = (scores.shape[^1] - 1.0).ToScalar();
            return scope.MoveToOuter(relative * lastPosition);
        }
        var allowed = mask.to_type(ScalarType.Bool).expand(scores.shape);
        var last = (allowed.sum(-1).to_type(relative.dtype) - Scalars.One).clamp_min(Scalars.Zero);                         // [..., Tq]
        return scope.MoveToOuter(last * relative);
    }
}
