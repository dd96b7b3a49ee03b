using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Counts tokens and builds a <see cref="Vocabulary"/> from the frequent ones.
/// </summary>
/// <remarks>
/// Words are ordered by descending count, ties broken by ordinal string order, so the same data always gives the
/// same ids regardless of the order in which documents were seen.
/// </remarks>
internal sealed class VocabularyBuilder
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly int _minimumCount;
    private readonly int _maximumSize;

    /// <summary>Creates a builder.</summary>
    /// <param name="minimumCount">A word needs at least this many occurrences to get its own id; rarer words map to
    /// unknown, which also lets the model learn a useful unknown embedding.</param>
    /// <param name="maximumSize">The most ids, padding and unknown included; 0 means unlimited.</param>
    public VocabularyBuilder(int minimumCount = 2, int maximumSize = 0)
    {
        if (minimumCount < 1)
            throw new ArgumentOutOfRangeException(nameof(minimumCount), minimumCount, "Must be at least 1.");
        if (maximumSize != 0 && maximumSize < 2)
            throw new ArgumentOutOfRangeException(nameof(maximumSize), maximumSize,
                "Must be 0 (unlimited) or at least 2, the padding and unknown ids.");
        _minimumCount = minimumCount;
        _maximumSize = maximumSize;
    }

    /// <summary>Counts one occurrence of <paramref name="token"/>; empty tokens are ignored.</summary>
    public void Add(string token)
    {
        if (string.IsNullOrEmpty(token))
            return;
        _counts[token] = _counts.GetValueOrDefault(token) + 1;
    }

    /// <summary>Counts every token of <paramref name="tokens"/>.</summary>
    public void Add(IEnumerable<string> tokens)
    {
        foreach (string token in tokens)
            Add(token);
    }

    /// <summary>Counts the normalized text of every token of <paramref name="document"/>.</summary>
    public void Add(TokenizedDocument document)
    {
        foreach (TokenizedSentence sentence in document.Sentences)
            foreach (Token token in sentence.Tokens)
                Add(token.Text);
    }

    /// <summary>Builds the vocabulary from the counts so far.</summary>
    public Vocabulary Build()
    {
        IEnumerable<string> words = _counts
            .Where(pair => pair.Value >= _minimumCount && !IsReserved(pair.Key))
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        if (_maximumSize > 0)
            words = words.Take(_maximumSize - Vocabulary.FirstWordId);
        return new Vocabulary(words);
    }

    // The reserved names already have ids 0 and 1; counting them as words would give them a second id.
    private static bool IsReserved(string word) => word is Vocabulary.PaddingWord or Vocabulary.UnknownWord;

    /// <summary>Builds a vocabulary from a token stream in one call.</summary>
    public static Vocabulary Build(IEnumerable<string> tokens, int minimumCount = 2, int maximumSize = 0)
    {
        var builder = new VocabularyBuilder(minimumCount, maximumSize);
        builder.Add(tokens);
        return builder.Build();
    }
}
