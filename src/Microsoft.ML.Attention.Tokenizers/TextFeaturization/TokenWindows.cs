using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// A text as the encoder reads it: one or more windows of token ids, each starting with the classification token.
/// <see cref="DroppedTokens"/> counts tokens a head-and-tail cut left out, so callers can report it.
/// </summary>
internal sealed record TokenWindows(int[][] Windows, int DroppedTokens);

/// <summary>Turns text into <see cref="TokenWindows"/> with the training vocabulary and the long-text rule.</summary>
internal sealed class TokenWindowEncoder
{
    private readonly DocumentTokenizer _tokenizer;
    private readonly Vocabulary _vocabulary;
    private readonly int _maxTokens;
    private readonly LongTextHandling _longText;
    private readonly int _classificationToken;

    /// <summary>
    /// The tokens → id windows step of <paramref name="text"/>, the same for the training rows and for scoring; a
    /// record without the window settings fails naming the text settings.
    /// </summary>
    public static TokenWindowEncoder Create(TextPreprocessing text, Vocabulary vocabulary, int classificationToken)
        => new TokenWindowEncoder(text.CreateTokenizer(), vocabulary,
            text.MaximumTokens ?? throw RecordFormat.Error(TextPreprocessing.Part, "the field MaximumTokens is missing."),
            text.LongText ?? throw RecordFormat.Error(TextPreprocessing.Part, "the field LongText is missing."), classificationToken);

    public TokenWindowEncoder(DocumentTokenizer tokenizer, Vocabulary vocabulary, int maxTokens, LongTextHandling longText, int classificationToken)
    {
        _tokenizer = tokenizer;
        _vocabulary = vocabulary;
        _maxTokens = maxTokens;
        _longText = longText;
        _classificationToken = classificationToken;
    }

    /// <summary>The tokens of a text, across its sentences (the featurizer reads a text as one sequence).</summary>
    public IReadOnlyList<Token> Tokens(string? text) => _tokenizer.Tokenize(text).Sentences.SelectMany(s => s.Tokens).ToArray();

    public TokenWindows Encode(string? text) => Encode(_tokenizer.Tokenize(text));

    /// <summary>The windows of an already tokenized text: the path of the training rows, which were tokenized once.</summary>
    public TokenWindows Encode(TokenizedDocument document)
        => Encode(document.Sentences.SelectMany(s => s.Tokens).Select(t => _vocabulary.GetId(t.Text)).ToArray());

    public TokenWindows Encode(int[] ids)
    {
        var (pieces, dropped) = LongTextCut.Split(ids, _maxTokens - 1, _longText);
        return new TokenWindows(pieces.Select(Window).ToArray(), dropped);
    }

    /// <summary>Positions (in the text's token list) of the tokens a window read, for aligning token weights.</summary>
    public IEnumerable<int> ReadPositions(int tokenCount) => LongTextCut.ReadPositions(tokenCount, _maxTokens - 1, _longText);

    private int[] Window(int[] ids)
    {
        var window = new int[ids.Length + 1];
        window[0] = _classificationToken;
        Array.Copy(ids, 0, window, 1, ids.Length);
        return window;
    }
}
