using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Turns raw text into a <see cref="TokenizedDocument"/>: sentences from <see cref="SentenceSplitter"/>, tokens from
/// <see cref="WordTokenizer"/>, then the length limits.
/// </summary>
internal sealed class DocumentTokenizer
{
    private readonly DocumentTokenizerOptions _options;
    private readonly WordTokenizer _wordTokenizer;

    /// <summary>Creates a tokenizer; default options when <paramref name="options"/> is null.</summary>
    public DocumentTokenizer(DocumentTokenizerOptions? options = null)
    {
        _options = options ?? new DocumentTokenizerOptions();
        _options.Validate();
        _wordTokenizer = new WordTokenizer(_options.LowerCase, _options.KeepPunctuation);
    }

    /// <summary>Tokenizes <paramref name="text"/>; null or blank text gives a document with no sentences.</summary>
    public TokenizedDocument Tokenize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return TokenizedDocument.Empty with { Text = text ?? string.Empty };

        // A sentence with no tokens (e.g. only punctuation when punctuation is dropped) would give the model an empty
        // sequence, so it is removed before the limits are applied; it held nothing the model could use.
        List<TokenizedSentence> sentences = SentenceSplitter.Split(text)
            .Select(span => new TokenizedSentence(span, _wordTokenizer.Tokenize(text, span)))
            .Where(sentence => sentence.Tokens.Count > 0)
            .ToList();

        int droppedSentences = 0;
        if (_options.MaximumSentences > 0 && sentences.Count > _options.MaximumSentences)
        {
            droppedSentences = sentences.Count - _options.MaximumSentences;
            sentences.RemoveRange(_options.MaximumSentences, droppedSentences);
        }

        int droppedTokens = 0;
        int maxTokens = _options.MaxTokensPerSentence;
        if (maxTokens > 0)
        {
            for (int s = 0; s < sentences.Count; s++)
            {
                IReadOnlyList<Token> tokens = sentences[s].Tokens;
                if (tokens.Count <= maxTokens)
                    continue;
                droppedTokens += tokens.Count - maxTokens;
                sentences[s] = sentences[s] with { Tokens = tokens.Take(maxTokens).ToArray() };
            }
        }

        return new TokenizedDocument(text, sentences, droppedSentences, droppedTokens);
    }
}
