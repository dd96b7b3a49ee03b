using System;
using System.Globalization;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Parses one line of a text word-vector file: a word followed by space-separated numbers.
/// </summary>
internal static class VectorFileLine
{
    private static readonly char[] Separators = { ' ', '\t' };

    /// <summary>Splits <paramref name="line"/> into its word and its number fields, ignoring repeated spaces.</summary>
    public static string[] Fields(string line) =>
        line.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// True for the "count dimension" header of word2vec and fastText text files: exactly two positive integers.
    /// A GloVe file cannot be told apart only when its first word is a number and its vectors have one component.
    /// </summary>
    public static bool IsHeader(string[] fields, out int dimension)
    {
        dimension = 0;
        return fields.Length == 2
            && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 0
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out dimension) && dimension > 0;
    }

    /// <summary>
    /// The largest magnitude of a component: trained vectors stay within a few units, and a component such as -3.4e38
    /// (an edited or damaged file) overflows the first matrix product and makes every output of the model NaN.
    /// </summary>
    public const float MaxComponent = 1e4f;

    /// <summary>The most components a vector may have: a longer line is a damaged file, and its width would size the embedding matrix.</summary>
    public const int MaxDimension = 10_000;

    /// <summary>Parses the numbers after the word; false when one is not a number (NaN and infinity parse, see <see cref="Problem"/>).</summary>
    public static bool TryParseVector(string[] fields, out float[] vector)
    {
        vector = new float[fields.Length - 1];
        for (int i = 1; i < fields.Length; i++)
        {
            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                return false;
            vector[i - 1] = value;
        }
        return true;
    }

    /// <summary>What makes a parsed vector unusable (a component not finite or beyond <see cref="MaxComponent"/>), or null.</summary>
    public static string? Problem(float[] vector)
    {
        for (int i = 0; i < vector.Length; i++)
            if (!(Math.Abs(vector[i]) <= MaxComponent))
                return $"component {i + 1} is {vector[i].ToString(CultureInfo.InvariantCulture)}; components must be finite numbers within ±{MaxComponent.ToString(CultureInfo.InvariantCulture)}";
        return null;
    }
}
