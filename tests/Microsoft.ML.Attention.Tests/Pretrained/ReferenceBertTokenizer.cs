using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// An independent reference for the ids Hugging Face's BERT tokenizer gives, written from its documented algorithm:
/// clean the text (control characters removed, whitespace to spaces), put spaces around CJK ideographs, NFC, split
/// on whitespace, lower-case and strip accents (NFD without non-spacing marks) when the model is uncased, make every
/// punctuation character (ASCII ! to / : to @ [ to ` { to ~, and Unicode P*) its own word, then greedy longest-match
/// WordPiece with "##" continuations; a word that cannot be matched, or of more than 100 characters, is [UNK].
/// </summary>
internal sealed class ReferenceBertTokenizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly bool _lowerCase;
    private readonly int _unknown;

    public ReferenceBertTokenizer(string vocabularyPath, bool lowerCase)
    {
        _vocabulary = File.ReadLines(vocabularyPath).Select((entry, id) => (entry, id)).GroupBy(e => e.entry).ToDictionary(g => g.Key, g => g.First().id);
        _lowerCase = lowerCase;
        _unknown = _vocabulary["[UNK]"];
    }

    public int Id(string entry) => _vocabulary[entry];

    public List<int> Ids(string? text)
    {
        var ids = new List<int>();
        foreach (var word in Words(text ?? ""))
            ids.AddRange(WordPiece(word));
        return ids;
    }

    public IEnumerable<string> Words(string text)
    {
        var cleaned = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            var category = Rune.GetUnicodeCategory(rune);
            if (c is 0 or 0xFFFD || (c is not ('\t' or '\n' or '\r') && IsOtherCategory(category)))
                continue;
            if (c is ' ' or '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator)
                cleaned.Append(' ');
            else if (IsCjk(c))
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else
                cleaned.Append(rune.ToString());
        }
        foreach (var token in cleaned.ToString().Normalize(NormalizationForm.FormC).Split(' ', System.StringSplitOptions.RemoveEmptyEntries))
        {
            var word = token;
            if (_lowerCase)
            {
                word = word.ToLowerInvariant().Normalize(NormalizationForm.FormD);
                word = new string(word.Where(ch => CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark).ToArray());
            }
            var current = new StringBuilder();
            foreach (var rune in word.EnumerateRunes())
            {
                if (IsPunctuation(rune))
                {
                    if (current.Length > 0)
                        yield return current.ToString();
                    current.Clear();
                    yield return rune.ToString();
                }
                else
                    current.Append(rune.ToString());
            }
            if (current.Length > 0)
                yield return current.ToString();
        }
    }

    private IEnumerable<int> WordPiece(string word)
    {
        var runes = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (runes.Length > 100)
            return new[] { _unknown };
        var pieces = new List<int>();
        int start = 0;
        while (start < runes.Length)
        {
            int end = runes.Length;
            int found = -1;
            while (start < end)
            {
                var piece = (start > 0 ? "##" : "") + string.Concat(runes[start..end]);
                if (_vocabulary.TryGetValue(piece, out var id))
                {
                    found = id;
                    break;
                }
                end--;
            }
            if (found < 0)
                return new[] { _unknown };
            pieces.Add(found);
            start = end;
        }
        return pieces;
    }

    private static bool IsOtherCategory(UnicodeCategory c) => c is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
        or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;

    private static bool IsPunctuation(Rune rune)
    {
        int c = rune.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int c) => c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
        or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
