using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Boolean attention masks (true = the position may be attended) and a softmax that honors them.
internal static class Masking
{
    // Softmax over the last dimension restricted to the positions where the mask is true (mask is
    // broadcast to the scores' shape). Masked positions get exactly 0 and a row without any allowed position is all
    // zeros, in the forward and the backward pass.
    //
    // Why not softmax over scores filled with -inf: a fully masked row would be exp(-inf)/0 = NaN, and NaN also leaks
    // into gradients. Here nothing non-finite is ever created: masked scores are replaced by 0 before exp (so a huge
    // masked score cannot overflow either) and zeroed after it, and the denominator is clamped to at least 1. The
    // clamp is exact for rows with an allowed position: the row maximum is subtracted first, so the largest term is
    // exp(0) = 1 and the sum is already >= 1; for fully masked rows the sum is 0 and the clamp makes it 0 / 1.

    public static Tensor Softmax(Tensor scores, Tensor? mask)
    {
        if (mask is null)
            return scores.softmax(-1);
        if (scores.shape[^1] == 0)
            return scores * Scalars.Zero; // keeps the graph and the (empty) shape; max over an empty dim would throw.

        using var scope = NewDisposeScope();
        var allowed = mask.to_type(ScalarType.Bool);
        var blocked = allowed.logical_not();
        // Shift by the maximum over the allowed positions. The shift cancels out mathematically, so it is detached.
        var max = scores.detach().masked_fill(blocked, Scalars.NegativeInfinity).amax(new long[] { -1 }, keepdim: true);
        max = max.masked_fill(max.isfinite().logical_not(), Scalars.Zero);
        var exp = (scores - max).masked_fill(blocked, Scalars.Zero).exp().masked_fill(blocked, Scalars.Zero);
        var sum = exp.sum(-1, keepdim: true).clamp_min(Scalars.One);
        return scope.MoveToOuter(exp / sum);
    }

    // The same softmax in an exported graph: scores [..., T] with T >= 1, mask bool broadcastable to them.
    public static string ExportSoftmax(ExportGraph g, string scores, string mask)
    {
        var negativeInfinity = g.Scalar(float.NegativeInfinity);
        var zero = g.Scalar(0f);
        var max = g.ReduceMax(g.Where(mask, scores, negativeInfinity), -1, keepDims: true);
        max = g.Where(g.Unary("IsInf", max), zero, max);
        var exp = g.Where(mask, g.Unary("Exp", g.Where(mask, g.Sub(scores, max), zero)), zero);
        return g.Div(exp, g.Max(g.ReduceSum(exp, -1, keepDims: true), g.Scalar(1f)));
    }

    // Mask of real tokens from sequence lengths: result[b, t] = t < lengths[b], shape [B, maxLength].
    public static Tensor FromLengths(Tensor lengths, long maxLength)
    {
        if (maxLength < 0)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "The length must not be negative.");
        using var scope = NewDisposeScope();
        var positions = Scalars.Range(maxLength, ScalarType.Int64, lengths.device);
        var mask = positions.unsqueeze(0) < lengths.to_type(ScalarType.Int64).unsqueeze(-1);
        return scope.MoveToOuter(mask);
    }

    // Banded mask for self-attention over a sequence of the given length: result[i, j] = |i - j| <= halfWidth,
    // shape [length, length].
    public static Tensor SlidingWindow(long length, long halfWidth, Device? device = null)
    {
        if (length < 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must not be negative.");
        if (halfWidth < 0)
            throw new ArgumentOutOfRangeException(nameof(halfWidth), halfWidth, "The half-width must not be negative.");
        using var scope = NewDisposeScope();
        var positions = Scalars.Range(length, ScalarType.Int64, device);
        using var limit = halfWidth.ToScalar();
        var mask = (positions.unsqueeze(1) - positions.unsqueeze(0)).abs() <= limit;
        return scope.MoveToOuter(mask);
    }

    // Logical and of two masks with broadcasting, where a null mask means "everything allowed". Returns null when
    // both are null; otherwise a new tensor (never one of the arguments, so the caller may dispose it).
    public static Tensor? Combine(Tensor? first, Tensor? second)
    {
        if (first is null)
            return second?.to_type(ScalarType.Bool, copy: true);
        if (second is null)
            return first.to_type(ScalarType.Bool, copy: true);
        return first.to_type(ScalarType.Bool).logical_and(second.to_type(ScalarType.Bool));
    }
}
