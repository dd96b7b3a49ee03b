using System;
using System.IO;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Refuses weights holding NaN or infinity as they are read: such a model loads and then scores NaN without a word.
/// Checked on the values already being copied, so no second pass over the file.
/// </summary>
internal static class FiniteWeights
{
    /// <summary>
    /// The largest magnitude a weight of the library's own checkpoints may have: training never comes near it, while a
    /// flipped exponent bit does, and such a weight overflows to infinity at scoring.
    /// </summary>
    public const float OwnWeightLimit = 1e6f;

    /// <summary>
    /// Throws <see cref="ModelFormat.Error"/> naming <paramref name="tensor"/> when a value is not finite or is beyond
    /// <see cref="OwnWeightLimit"/> (for the library's own checkpoints; pretrained files may hold large constants).
    /// </summary>
    public static void CheckOwn(ReadOnlySpan<float> values, string tensor, string part)
    {
        Check(values, tensor, part);
        for (int i = 0; i < values.Length; i++)
            if (Math.Abs(values[i]) > OwnWeightLimit)
                throw ModelFormat.Error(part, $"tensor '{tensor}' holds {values[i]} at element {i}, beyond ±{OwnWeightLimit:G}, which no training reaches.");
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return -1;
    }

    /// <summary>Throws <see cref="ModelFormat.Error"/> naming <paramref name="tensor"/> when a value is not finite.</summary>
    public static void Check(ReadOnlySpan<float> values, string tensor, string part)
    {
        if (Problem(values, tensor, 0) is { } problem)
            throw ModelFormat.Error(part, problem);
    }

    /// <summary>What is wrong with a slice starting at element <paramref name="start"/> of <paramref name="tensor"/>, or null.</summary>
    public static string? Problem(ReadOnlySpan<float> values, string tensor, long start)
    {
        int at = IndexOfNonFinite(values);
        return at < 0 ? null : $"tensor '{tensor}' holds {values[at]} at element {start + at}; weights must be finite numbers.";
    }
}
