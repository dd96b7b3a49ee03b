using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.TextFeaturization;

/// <summary>A text and its label.</summary>
public sealed class TextRow
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>
/// Texts of filler words with "alpha" and "beta" each once, at least three words apart; the label says which comes
/// first. Both classes have the same bags of words and of word pairs, so a bag-of-n-grams model is near chance;
/// attention with positions is not.
/// </summary>
public static class OrderTask
{
    private static readonly string[] Fillers =
    {
        "red", "green", "blue", "river", "stone", "cloud", "table", "window", "paper", "music",
        "lamp", "garden", "bridge", "coffee", "winter", "pencil", "forest", "mirror", "ladder", "candle",
    };

    /// <summary>Every word the task's texts use.</summary>
    public static IEnumerable<string> Words => Fillers.Append("alpha").Append("beta");

    /// <param name="count">Rows to generate.</param>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="fillers">The words around "alpha" and "beta"; null for the task's own.</param>
    public static List<TextRow> Generate(int count, int seed, IReadOnlyList<string>? fillers = null)
    {
        var random = new Random(seed);
        var fillerWords = fillers ?? Fillers;
        var rows = new List<TextRow>();
        for (int i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, random.Next(6, 11)).Select(_ => fillerWords[random.Next(fillerWords.Count)]).ToList();
            // Two slots at least three apart, so no word pair around "alpha" or "beta" reveals their order, and never
            // first or last, since character n-grams mark the start and the end of a text.
            int a, b;
            do
            {
                a = random.Next(1, words.Count);
                b = random.Next(1, words.Count);
            }
            while (Math.Abs(a - b) < 3);
            bool alphaFirst = random.Next(2) == 0;
            var (early, late) = (Math.Min(a, b), Math.Max(a, b));
            words.Insert(late, alphaFirst ? "beta" : "alpha");
            words.Insert(early, alphaFirst ? "alpha" : "beta");
            rows.Add(new TextRow { Text = string.Join(" ", words), Label = alphaFirst ? "alpha-first" : "beta-first" });
        }
        return rows;
    }
}
