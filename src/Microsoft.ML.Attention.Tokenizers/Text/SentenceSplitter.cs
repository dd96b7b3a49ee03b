using System;
using System.Collections.Generic;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Splits a document into sentences, reported as spans into the original text.
/// </summary>
/// <remarks>
/// A sentence ends at:
/// <list type="bullet">
/// <item>a run of <c>.</c>, <c>!</c>, <c>?</c> or <c>…</c> (so <c>?!</c> and <c>...</c> end once), optionally followed by
/// closing quotes or brackets, when whitespace or the end of the text follows;</item>
/// <item>any line break (<c>\n</c>, <c>\r\n</c>, <c>\r</c>, U+0085, U+2028, U+2029);</item>
/// <item>an HTML <c>&lt;br&gt;</c> tag, which belongs to no sentence;</item>
/// <item>the CJK marks 。！？｡, with no whitespace needed after them.</item>
/// </list>
/// A single period does not end a sentence after a known abbreviation ("e.g.", "Mr.") or after capital initials
/// ("J. Smith", "J.R.R. Tolkien"); an ellipsis does not end one when a lower-case word follows. Periods between
/// digits (3.14) never qualify because no whitespace follows them. Sentence spans are trimmed of whitespace and
/// empty sentences are dropped.
/// </remarks>
internal static class SentenceSplitter
{
    /// <summary>The sentences of <paramref name="text"/>; none for null, empty or whitespace-only text.</summary>
    public static IReadOnlyList<TextSpan> Split(string? text)
    {
        var sentences = new List<TextSpan>();
        if (string.IsNullOrEmpty(text))
            return sentences;

        int sentenceStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsLineBreak(c))
            {
                AddTrimmed(text, sentenceStart, i, sentences);
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                sentenceStart = i;
            }
            else if (c == '<' && HtmlLineBreak.TryMatch(text, i, out int tagEnd))
            {
                AddTrimmed(text, sentenceStart, i, sentences);
                i = tagEnd;
                sentenceStart = i;
            }
            else if (CjkCharacters.IsSentenceTerminator(c))
            {
                i = SkipClosers(text, SkipTerminators(text, i));
                AddTrimmed(text, sentenceStart, i, sentences);
                sentenceStart = i;
            }
            else if (IsLatinTerminator(c))
            {
                int runEnd = SkipTerminators(text, i);
                int end = SkipClosers(text, runEnd);
                if (EndsSentence(text, i, runEnd, end))
                {
                    AddTrimmed(text, sentenceStart, end, sentences);
                    sentenceStart = end;
                }
                i = end;
            }
            else
            {
                i++;
            }
        }
        AddTrimmed(text, sentenceStart, text.Length, sentences);
        return sentences;
    }

    /// <summary>
    /// Decides whether the terminator run <c>[runStart, runEnd)</c>, followed by closers up to <paramref name="end"/>,
    /// ends a sentence.
    /// </summary>
    private static bool EndsSentence(string text, int runStart, int runEnd, int end)
    {
        // "3.14", "example.com", "Hi!there": without following whitespace this is not a sentence end.
        if (end < text.Length && !char.IsWhiteSpace(text[end]) && !HtmlLineBreak.TryMatch(text, end, out _))
            return false;

        bool singlePeriod = runEnd - runStart == 1 && text[runStart] == '.';
        if (singlePeriod)
        {
            string word = WordBefore(text, runStart);
            return !EnglishAbbreviations.Contains(word) && !IsInitials(word);
        }

        ReadOnlySpan<char> run = text.AsSpan(runStart, runEnd - runStart);
        bool isEllipsis = run.TrimStart('.').IsEmpty || run.Contains('…');
        if (isEllipsis)
        {
            // "Well... maybe not." is one sentence that trails off; "Wait... What?" is two.
            int next = end;
            while (next < text.Length && char.IsWhiteSpace(text[next]) && !IsLineBreak(text[next]))
                next++;
            return !(next < text.Length && char.IsLower(text[next]));
        }
        return true;
    }

    /// <summary>The letters and inner periods just before <paramref name="periodIndex"/>, e.g. "e.g" or "Mr".</summary>
    private static string WordBefore(string text, int periodIndex)
    {
        int start = periodIndex;
        while (start > 0 && (char.IsLetter(text[start - 1]) || text[start - 1] == '.'))
            start--;
        return text.Substring(start, periodIndex - start);
    }

    /// <summary>True for one or more single capital letters separated by periods: "J", "J.R.R", "U.S".</summary>
    private static bool IsInitials(string word)
    {
        if (word.Length == 0)
            return false;
        for (int i = 0; i < word.Length; i++)
        {
            bool letterExpected = i % 2 == 0;
            if (letterExpected ? !char.IsUpper(word[i]) : word[i] != '.')
                return false;
        }
        return word.Length % 2 == 1;
    }

    private static void AddTrimmed(string text, int start, int end, List<TextSpan> sentences)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
            start++;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        if (end > start)
            sentences.Add(TextSpan.FromBounds(start, end));
    }

    private static int SkipTerminators(string text, int i)
    {
        while (i < text.Length && (IsLatinTerminator(text[i]) || CjkCharacters.IsSentenceTerminator(text[i])))
            i++;
        return i;
    }

    private static int SkipClosers(string text, int i)
    {
        while (i < text.Length && IsCloser(text[i]))
            i++;
        return i;
    }

    private static bool IsLatinTerminator(char c) => c is '.' or '!' or '?' or '…';

    // Quotes and brackets that close around a sentence end: He said "Stop." Then...
    private static bool IsCloser(char c) =>
        c is '"' or '\'' or '”' or '’' or '»' or ')' or ']' or '}' or '」' or '』' or '）' or '】' or '〕' or '》' or '〉';

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';
}
