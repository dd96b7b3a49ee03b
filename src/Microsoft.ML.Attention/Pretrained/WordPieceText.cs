using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Text → WordPiece ids of a BERT vocabulary, with Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> and the
/// corrections that make it split text as Hugging Face's BERT tokenizer does (see <see cref="Prepare(string, bool)"/>).
/// </summary>
internal sealed class WordPieceText
{
    private readonly BertTokenizer _tokenizer;

    private readonly bool _lowerCase;

    private WordPieceText(BertTokenizer tokenizer, bool lowerCase)
    {
        _tokenizer = tokenizer;
        _lowerCase = lowerCase;
    }

    public int ClassificationId => _tokenizer.ClassificationTokenId;

    public int SeparatorId => _tokenizer.SeparatorTokenId;

    public int PaddingId => _tokenizer.PaddingTokenId;

    public bool LowerCase => _lowerCase;

    /// <param name="vocabulary">vocab.txt's content.</param>
    /// <param name="lowerCase">The model's do_lower_case; Hugging Face then also strips accents.</param>
    public static WordPieceText Create(Stream vocabulary, bool lowerCase)
        => new WordPieceText(BertTokenizer.Create(vocabulary, new BertOptions
        {
            // Basic tokenization is done by Prepare (see there why); BertTokenizer splits the prepared text at spaces and runs WordPiece.
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            SplitOnSpecialTokens = true,
        }), lowerCase);

    public static WordPieceText Create(string vocabularyPath, bool lowerCase)
    {
        using var stream = File.OpenRead(vocabularyPath);
        return Create(stream, lowerCase);
    }

    /// <summary>The word piece ids of a text, without [CLS] and [SEP]; null or empty text has none.</summary>
    public int[] Ids(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Array.Empty<int>();
        var ids = _tokenizer.EncodeToIds(Prepare(text, _lowerCase), addSpecialTokens: false);
        return ids.ToArray();
    }

    /// <summary>
    /// Hugging Face's basic tokenization, leaving only WordPiece to BertTokenizer: control and format characters
    /// (category C*), U+0000 and U+FFFD removed; tab, line feed, carriage return and space separators (Zs) made
    /// spaces; CJK ideographs and punctuation (ASCII ! to /, : to @, [ to `, { to ~, and Unicode P*) surrounded by
    /// spaces; NFC; lower-casing and accent stripping (NFD without non-spacing marks) for uncased models.
    /// </summary>
    /// <remarks>
    /// BertTokenizer 2.0.1's own basic tokenization differs from Hugging Face's in ways that change ids: it joins words
    /// separated only by a tab, line feed or carriage return (dotnet/machinelearning #7724), drops symbols
    /// ($ + &lt; = &gt; ^ ` | ~, °, emoji; #7725), and gives [UNK] for Hangul, which Hugging Face's uncased models
    /// read as decomposed jamo.
    /// </remarks>
    internal static string Prepare(string text, bool lowerCase)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            var category = Rune.GetUnicodeCategory(rune);
            if (c is '\t' or '\n' or '\r' or ' ' || category == UnicodeCategory.SpaceSeparator)
                builder.Append(' ');
            else if (c is 0 or 0xFFFD || IsControl(category))
                continue;
            else if (IsCjkIdeograph(c))
                builder.Append(' ').Append(rune.ToString()).Append(' ');
            else
                builder.Append(rune.ToString());
        }
        var normalized = builder.ToString().Normalize(NormalizationForm.FormC);
        if (lowerCase)
            normalized = normalized.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        builder.Clear();
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (lowerCase && Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
                continue;
            if (IsPunctuation(rune))
                builder.Append(' ').Append(rune.ToString()).Append(' ');
            else
                builder.Append(rune.ToString());
        }
        return builder.ToString();
    }

    private static bool IsControl(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;

    // Hugging Face counts all ASCII non-alphanumeric printable characters as punctuation, and elsewhere category P*.
    private static bool IsPunctuation(Rune rune)
    {
        int c = rune.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    // The CJK Unified Ideograph blocks Hugging Face splits into single characters (not Hangul, kana or CJK punctuation).
    private static bool IsCjkIdeograph(int c) => c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
        or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
