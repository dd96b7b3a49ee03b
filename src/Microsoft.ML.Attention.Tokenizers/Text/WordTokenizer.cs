using System;
using System.Collections.Generic;
using System.Globalization;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Splits a sentence into word, punctuation and CJK-character tokens whose spans point into the original document.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A word is a run of letters, decimal digits and combining marks (Mn, Mc, Me). An apostrophe (<c>'</c>,
/// <c>’</c>), hyphen (<c>-</c>, U+2010, U+2011) or format character (e.g. a zero-width non-joiner) between two word
/// characters stays inside the word, so "don't" and "state-of-the-art" are single tokens. A period or comma between
/// two digits does too, so "3.14" and "1,000" are single tokens.</item>
/// <item>Each CJK character (see <see cref="CjkCharacters.IsStandaloneCharacter"/>) is its own token, even inside
/// a run of letters: "AI模型" gives "ai", "模", "型".</item>
/// <item>Any other visible character is a one-character token, extended to its whole grapheme cluster so that
/// surrogate pairs, emoji with modifiers and flags stay whole. Unicode punctuation (categories Pc, Pd, Ps, Pe, Pi,
/// Pf, Po) can be dropped; symbols such as emoji or currency signs are always kept since they carry meaning.</item>
/// <item>Whitespace, control characters and stray format characters separate tokens.</item>
/// </list>
/// </remarks>
internal sealed class WordTokenizer
{
    private readonly bool _lowerCase;
    private readonly bool _keepPunctuation;

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="lowerCase">Whether token text is lower-cased with the invariant culture.</param>
    /// <param name="keepPunctuation">Whether punctuation characters become tokens or are dropped.</param>
    public WordTokenizer(bool lowerCase = true, bool keepPunctuation = true)
    {
        _lowerCase = lowerCase;
        _keepPunctuation = keepPunctuation;
    }

    /// <summary>Tokenizes the whole of <paramref name="text"/>.</summary>
    public IReadOnlyList<Token> Tokenize(string text) => Tokenize(text, new TextSpan(0, text.Length));

    /// <summary>Tokenizes the part <paramref name="span"/> of <paramref name="document"/>.</summary>
    public IReadOnlyList<Token> Tokenize(string document, TextSpan span)
    {
        var tokens = new List<Token>();
        int end = span.End;
        int i = span.Start;
        while (i < end)
        {
            int codePoint = CodePointAt(document, i, end, out int width);
            UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
            if (IsSeparator(codePoint, category))
            {
                i += width;
                continue;
            }

            int tokenEnd;
            if (CjkCharacters.IsStandaloneCharacter(codePoint) || !IsWordCategory(category))
            {
                tokenEnd = i + StringInfo.GetNextTextElementLength(document.AsSpan(i, end - i));
                if (!_keepPunctuation && IsPunctuation(category))
                {
                    i = tokenEnd;
                    continue;
                }
            }
            else
            {
                tokenEnd = ScanWord(document, i + width, end);
            }

            tokens.Add(CreateToken(document, i, tokenEnd));
            i = tokenEnd;
        }
        return tokens;
    }

    private Token CreateToken(string document, int start, int end)
    {
        string raw = document.Substring(start, end - start);
        return new Token(TextSpan.FromBounds(start, end), _lowerCase ? raw.ToLowerInvariant() : raw);
    }

    /// <summary>Returns the end of the word whose remaining characters start at <paramref name="i"/>.</summary>
    private static int ScanWord(string text, int i, int end)
    {
        while (i < end)
        {
            if (IsWordCharacterAt(text, i, end, out int width))
            {
                i += width;
                continue;
            }

            char c = text[i];
            bool joinsWords = IsInWordJoiner(c) && IsWordCharacterAt(text, i + 1, end, out _);
            bool joinsDigits = (c == '.' || c == ',') && char.IsDigit(text[i - 1])
                && i + 1 < end && char.IsDigit(text[i + 1]);
            if (!joinsWords && !joinsDigits)
                break;
            i++;
        }
        return i;
    }

    private static bool IsWordCharacterAt(string text, int i, int end, out int width)
    {
        width = 0;
        if (i >= end)
            return false;
        int codePoint = CodePointAt(text, i, end, out width);
        return IsWordCategory(CharUnicodeInfo.GetUnicodeCategory(codePoint))
            && !CjkCharacters.IsStandaloneCharacter(codePoint);
    }

    /// <summary>Reads the code point at <paramref name="i"/>, combining a surrogate pair; a lone surrogate is read as itself.</summary>
    private static int CodePointAt(string text, int i, int end, out int width)
    {
        if (char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[i], text[i + 1]);
        }
        width = 1;
        return text[i];
    }

    private static bool IsWordCategory(UnicodeCategory category) => category
        is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsPunctuation(UnicodeCategory category) => category
        is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
        or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsSeparator(int codePoint, UnicodeCategory category) =>
        category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control or UnicodeCategory.Format
        || (codePoint <= char.MaxValue && char.IsWhiteSpace((char)codePoint));

    private static bool IsInWordJoiner(char c) =>
        c is '\'' or '’' or '-' or '\u2010' or '\u2011'
        || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
