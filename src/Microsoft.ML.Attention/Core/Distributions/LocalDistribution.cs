using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Luong local-m attention: query t attends to the allowed keys j with |j - c_t| <= D, where the center c_t is the
// query index t (monotonic alignment, e.g. self-attention or equal-length sequences) unless given explicitly.
// Inside the window the weights are the softmax over the window.
internal sealed class LocalDistribution : AttentionDistribution
{
    private readonly long _halfWidth;

    public LocalDistribution(long halfWidth)
        : base(nameof(LocalDistribution))
    {
        if (halfWidth < 0)
            throw new ArgumentOutOfRangeException(nameof(halfWidth), halfWidth, "The half-width must not be negative.");
        _halfWidth = halfWidth;
        RegisterComponents();
    }

    public long HalfWidth => _halfWidth;

    public override Tensor Normalize(Tensor scores, Tensor? mask) => Normalize(scores, mask, centers: null);

    // The window of query t is centred on t; the scores' query axis gives the centres.
    public override string Export(ExportGraph g, string scores, string mask, string? query)
    {
        var offsets = g.Sub(g.Positions(scores, -1), g.Unsqueeze(g.Positions(scores, -2), -1));   // [Tq, Tk]
        var window = g.AtMost(g.Unary("Abs", offsets), g.Scalar(_halfWidth));
        return Masking.ExportSoftmax(g, scores, g.Op("And", new[] { mask, window }));
    }

    /// <summary>
    /// As <see cref="Normalize(Tensor, Tensor?)"/> with explicit (possibly fractional) window centers [..., Tq],
    /// broadcastable to the scores without their last dimension; null means c_t = t.
    /// </summary>
    public Tensor Normalize(Tensor scores, Tensor? mask, Tensor? centers)
    {
        using var scope = NewDisposeScope();
        var floatType = scores.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var positions = Scalars.Range(scores.shape[^1], floatType, scores.device);
        var center = centers is null
            ? Scalars.Range(scores.shape[^2], floatType, scores.device)
            : centers.detach().to_type(floatType);
        using var halfWidth = _halfWidth.ToScalar();
        var window = (positions - center.unsqueeze(-1)).abs() <= halfWidth;   // [..., Tq, Tk]
        var weights = Masking.Softmax(scores, Masking.Combine(mask, window));
        return scope.MoveToOuter(weights);
    }
}
