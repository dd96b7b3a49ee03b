using System;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Refuses weights holding NaN, infinity or a magnitude no trained model has, as they are read: such a model loads
/// and then scores NaN without a word. Checked on the values already being copied, so no second pass over the file.
/// </summary>
internal static class FiniteWeights
{
    /// <summary>
    /// The largest magnitude a weight may have, in the library's checkpoints and in pretrained files alike: training
    /// never comes near it, while a flipped exponent bit does, and such a weight overflows to infinity at scoring.
    /// (A pretrained file's graph constants, such as an attention mask's fill value, are not weights and are not read.)
    /// </summary>
    public const float Limit = 1e6f;

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return -1;
    }

    /// <summary>Throws <see cref="ModelFormat.Error"/> naming <paramref name="tensor"/> when a value is not finite or is beyond <see cref="Limit"/>.</summary>
    public static void Check(ReadOnlySpan<float> values, string tensor, string part)
    {
        if (Problem(values, tensor, 0) is { } problem)
            throw ModelFormat.Error(part, problem);
    }

    /// <summary>What is wrong with a slice starting at element <paramref name="start"/> of <paramref name="tensor"/>, or null.</summary>
    public static string? Problem(ReadOnlySpan<float> values, string tensor, long start)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return $"tensor '{tensor}' holds {values[i]} at element {start + i}; weights must be finite numbers.";
            if (Math.Abs(values[i]) > Limit)
                return $"tensor '{tensor}' holds {values[i]} at element {start + i}, beyond ±{Limit:G}, which no trained model holds (a damaged file?).";
        }
        return null;
    }
}
