using System;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// A range of UTF-16 characters in the original document. Sentences and tokens keep spans instead of copies so that
/// explanations can highlight exactly the text the user supplied.
/// </summary>
internal readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>The index just after the last character of the span.</summary>
    public int End => Start + Length;

    /// <summary>The characters of <paramref name="text"/> covered by this span.</summary>
    public string Of(string text) => text.Substring(Start, Length);

    /// <summary>A span from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public static TextSpan FromBounds(int start, int end)
    {
        if (end < start)
            throw new ArgumentOutOfRangeException(nameof(end), $"The end {end} is before the start {start}.");
        return new TextSpan(start, end - start);
    }
}
