using System;

namespace Microsoft.ML.Attention.Text;

/// <summary>How <see cref="DocumentTokenizer"/> splits and normalizes documents.</summary>
internal sealed record DocumentTokenizerOptions
{
    /// <summary>Whether token text is lower-cased with the invariant culture. Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Whether punctuation characters are kept as tokens. Default true.</summary>
    public bool KeepPunctuation { get; init; } = true;

    /// <summary>The most sentences kept from the start of a document; 0 means unlimited.</summary>
    public int MaximumSentences { get; init; }

    /// <summary>The most tokens kept from the start of each sentence; 0 means unlimited.</summary>
    public int MaxTokensPerSentence { get; init; }

    /// <summary>Throws when a limit is negative.</summary>
    public void Validate()
    {
        if (MaximumSentences < 0)
            throw new ArgumentOutOfRangeException(nameof(MaximumSentences), MaximumSentences, "Must be 0 (unlimited) or positive.");
        if (MaxTokensPerSentence < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerSentence), MaxTokensPerSentence, "Must be 0 (unlimited) or positive.");
    }
}
