namespace Microsoft.ML.Attention.Text;

/// <summary>
/// One token: where it is in the original document and its normalized text (the form looked up in the vocabulary).
/// </summary>
/// <param name="Span">The raw characters of the token in the original document.</param>
/// <param name="Text">The normalized text, e.g. lower-cased.</param>
internal readonly record struct Token(TextSpan Span, string Text);
