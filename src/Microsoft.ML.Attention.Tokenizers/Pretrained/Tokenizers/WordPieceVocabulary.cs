using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>Checks a WordPiece vocabulary (vocab.txt: one entry a line, the line number is the id) against the model.</summary>
internal static class WordPieceVocabulary
{
    /// <summary>The lines of vocab.txt's text, as File.ReadAllLines gives them (a final line feed ends the last line).</summary>
    public static string[] Lines(string text)
    {
        var lines = text.Split('\n').Select(e => e.TrimEnd('\r')).ToArray();
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    /// <summary>
    /// The entries, after checking their count equals the model's word embedding rows, each appears once and the
    /// tokenizer's <paramref name="specialTokens"/> are there; <paramref name="source"/> names it in errors.
    /// </summary>
    public static string[] Check(string[] entries, int expectedSize, IEnumerable<string> specialTokens, string source)
    {
        // A final empty line is the file's trailing newline written as a line by some tools, not an entry.
        if (entries.Length == expectedSize + 1 && entries[^1].Length == 0)
            entries = entries[..^1];
        if (entries.Length != expectedSize)
            throw CheckpointErrors.Invalid(source, $"the vocabulary has {entries.Length} entries but the model has {expectedSize} word embeddings: it is not this model's vocabulary.");
        // Hugging Face keeps the last id of an entry written twice; WordPiece needs one id an entry, so such a file is refused.
        var firstLine = new Dictionary<string, int>(entries.Length, System.StringComparer.Ordinal);
        for (int i = 0; i < entries.Length; i++)
            if (!firstLine.TryAdd(entries[i], i + 1))
                throw CheckpointErrors.Invalid(source, $"the vocabulary has the entry '{entries[i]}' on lines {firstLine[entries[i]]} and {i + 1}; each entry must appear once.");
        var missing = specialTokens.Except(entries).ToList();
        if (missing.Count > 0)
            throw CheckpointErrors.Invalid(source, $"the vocabulary lacks the special tokens {string.Join(" ", missing)} (expected a BERT WordPiece vocabulary).");
        return entries;
    }
}
