using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>Checks a WordPiece vocabulary file (vocab.txt: one entry a line, the line number is the id) against the model.</summary>
internal static class PretrainedVocabulary
{
    public static readonly string[] SpecialTokens = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

    /// <summary>The entries, after checking the count equals the model's word embedding rows and the special tokens are there.</summary>
    public static IReadOnlyList<string> ReadEntries(string path, int expectedSize)
    {
        if (!File.Exists(path))
            throw CheckpointErrors.Missing(path, $"the model's WordPiece vocabulary (vocab.txt, {expectedSize} entries) was expected.");
        return Check(File.ReadAllLines(path), expectedSize, path);
    }

    /// <summary>The entries of a vocabulary given as lines, checked as <see cref="ReadEntries"/> does; <paramref name="source"/> names it in errors.</summary>
    public static string[] Check(string[] entries, int expectedSize, string source)
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
        var missing = SpecialTokens.Except(entries).ToList();
        if (missing.Count > 0)
            throw CheckpointErrors.Invalid(source, $"the vocabulary lacks the special tokens {string.Join(" ", missing)} (expected a BERT WordPiece vocabulary).");
        return entries;
    }
}
