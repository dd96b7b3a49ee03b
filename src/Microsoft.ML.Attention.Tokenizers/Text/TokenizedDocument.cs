using System;
using System.Collections.Generic;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// A document split into sentences and tokens: the structure that attention weights are aligned to when explaining a
/// prediction. It also says how much content the length limits cut, so that callers can report it.
/// </summary>
/// <param name="Text">The original text; every span refers to it.</param>
/// <param name="Sentences">The sentences kept.</param>
/// <param name="DroppedSentenceCount">Sentences left out because the document had more than the sentence limit.</param>
/// <param name="DroppedTokenCount">
/// Tokens cut from the ends of kept sentences by the per-sentence token limit (tokens of dropped sentences are
/// not counted here).
/// </param>
internal sealed record TokenizedDocument(
    string Text, IReadOnlyList<TokenizedSentence> Sentences, int DroppedSentenceCount, int DroppedTokenCount)
{
    /// <summary>A document with no sentences, as produced for null or blank text.</summary>
    public static TokenizedDocument Empty { get; } = new(string.Empty, Array.Empty<TokenizedSentence>(), 0, 0);

    /// <summary>True when a limit removed any content.</summary>
    public bool IsTruncated => DroppedSentenceCount > 0 || DroppedTokenCount > 0;
}
