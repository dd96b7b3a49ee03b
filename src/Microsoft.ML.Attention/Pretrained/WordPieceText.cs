using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Text → WordPiece ids of a BERT vocabulary, with Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> and the
/// corrections that make it split text as Hugging Face's BERT tokenizer does (see <see cref="Prepare"/>).
/// </summary>
internal sealed class WordPieceText
{
    private readonly BertTokenizer _tokenizer;

    private WordPieceText(BertTokenizer tokenizer)
    {
        _tokenizer = tokenizer;
    }

    public int ClassificationId => _tokenizer.ClassificationTokenId;

    public int SeparatorId => _tokenizer.SeparatorTokenId;

    public int PaddingId => _tokenizer.PaddingTokenId;

    public bool LowerCase => _tokenizer.LowerCaseBeforeTokenization;

    /// <param name="vocabulary">vocab.txt's content.</param>
    /// <param name="lowerCase">The model's do_lower_case; Hugging Face then also strips accents.</param>
    public static WordPieceText Create(Stream vocabulary, bool lowerCase)
        => new WordPieceText(BertTokenizer.Create(vocabulary, new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase,
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
            SplitOnSpecialTokens = true,
        }));

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
        var ids = _tokenizer.EncodeToIds(Prepare(text), addSpecialTokens: false);
        return ids.ToArray();
    }

    /// <summary>
    /// Cleans the text as Hugging Face's BERT tokenizer does before BertTokenizer 2.0.1 reads it: tab, line feed,
    /// carriage return and space separators (Zs) become a space, and other control and format characters (category
    /// C*), U+0000 and U+FFFD are removed. Without it BertTokenizer joins words separated only by a tab, line feed or
    /// carriage return (dotnet/machinelearning #7724).
    /// </summary>
    internal static string Prepare(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (c is '\t' or '\n' or '\r' or ' ' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator)
                builder.Append(' ');
            else if (c is 0 or 0xFFFD || IsControl(Rune.GetUnicodeCategory(rune)))
                continue;
            else
                builder.Append(rune.ToString());
        }
        return builder.ToString();
    }

    private static bool IsControl(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
}
