using System.Collections.Generic;

namespace Microsoft.ML.Attention.Text;

/// <summary>One sentence of a document with its tokens, in reading order.</summary>
/// <param name="Span">The whole sentence in the original document, even when some of its tokens were cut.</param>
/// <param name="Tokens">The tokens kept; never empty.</param>
internal sealed record TokenizedSentence(TextSpan Span, IReadOnlyList<Token> Tokens);
