using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Attention.Infrastructure;
using BertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;
using BertOptions = Microsoft.ML.Tokenizers.BertOptions;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// BERT's WordPiece (vocab.txt; tokenizer_class BertTokenizer or DistilBertTokenizer): text → word piece ids with
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> and the corrections that make it split text as Hugging Face's
/// BERT tokenizer does (see <see cref="Prepare(string, bool)"/>). A window is [CLS] pieces [SEP]; the special tokens'
/// texts come from tokenizer_config.json or special_tokens_map.json, their ids from vocab.txt.
/// </summary>
internal sealed class WordPieceTokenizer : SubwordTokenizer
{
    /// <summary>Its registration in <see cref="SubwordTokenizers"/>.</summary>
    public static readonly TokenizerKind Registration = new("WordPiece", "vocab.txt", new[] { "BertTokenizer", "DistilBertTokenizer" }, Read, Load);

    /// <summary>What is saved beside vocab.txt: the lower-casing and the special tokens' texts.</summary>
    private sealed record Settings(bool LowerCase, string Classification, string Separator, string Padding, string Unknown, string Masking)
    {
        public static readonly Settings Bert = new(false, "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]");

        public string[] SpecialTokens() => new[] { Padding, Unknown, Classification, Separator, Masking };
    }

    private readonly BertTokenizer _tokenizer;
    private readonly Settings _settings;
    private readonly byte[] _vocabulary;
    private readonly string[] _entries;

    private WordPieceTokenizer(byte[] vocabulary, string[] entries, Settings settings)
    {
        using var stream = new MemoryStream(vocabulary, writable: false);
        _tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            // Basic tokenization is done by Prepare (see there why); BertTokenizer splits the prepared text at spaces and runs WordPiece.
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            SplitOnSpecialTokens = true,
            ClassificationToken = settings.Classification,
            SeparatorToken = settings.Separator,
            PaddingToken = settings.Padding,
            UnknownToken = settings.Unknown,
            MaskingToken = settings.Masking,
        });
        _vocabulary = vocabulary;
        _entries = entries;
        _settings = settings;
    }

    public override TokenizerKind Kind => Registration;

    public override int StartId => _tokenizer.ClassificationTokenId;

    public override int EndId => _tokenizer.SeparatorTokenId;

    public override int PaddingId => _tokenizer.PaddingTokenId;

    /// <summary>Whether texts are lower-cased and stripped of accents (an uncased model).</summary>
    public bool LowerCase => _settings.LowerCase;

    public override string Describe() => $"WordPiece, {(LowerCase ? "lower-cased" : "cased")}";

    public override string Piece(int id) => _entries[id];

    // do_lower_case from tokenizer_config.json; without it, a vocabulary without upper-case ASCII letters (besides the
    // bracketed special tokens) is uncased and means lower-casing, as Hugging Face's uncased models were trained
    // (bert-base-uncased's vocabulary keeps a few non-ASCII capitals, so only ASCII letters are counted).
    private static SubwordTokenizer Read(TokenizerFiles files)
    {
        var path = files.FileOf(Registration);
        if (!File.Exists(path))
            throw CheckpointErrors.Missing(path, $"the model's WordPiece vocabulary (vocab.txt, {files.VocabularySize} entries) was expected.");
        var d = Settings.Bert;
        var settings = new Settings(false, files.SpecialToken("cls_token", d.Classification), files.SpecialToken("sep_token", d.Separator),
            files.SpecialToken("pad_token", d.Padding), files.SpecialToken("unk_token", d.Unknown), files.SpecialToken("mask_token", d.Masking));
        var vocabulary = File.ReadAllBytes(path);
        var entries = WordPieceVocabulary.Check(WordPieceVocabulary.Lines(Encoding.UTF8.GetString(vocabulary)), files.VocabularySize, settings.SpecialTokens(), path);
        var lowerCase = files.LowerCase ?? !entries.Any(e => !(e.StartsWith('[') && e.EndsWith(']')) && e.Any(char.IsAsciiLetterUpper));
        return new WordPieceTokenizer(vocabulary, entries, settings with { LowerCase = lowerCase || files.LowerCaseText });
    }

    /// <summary>A vocabulary saved before tokenizers had kinds: BERT's special tokens.</summary>
    public static WordPieceTokenizer Create(byte[] vocabulary, bool lowerCase, string part)
        => Create(vocabulary, Settings.Bert with { LowerCase = lowerCase }, part);

    private static WordPieceTokenizer Create(byte[] vocabulary, Settings settings, string part)
    {
        var entries = WordPieceVocabulary.Lines(Encoding.UTF8.GetString(vocabulary));
        var missing = settings.SpecialTokens().Except(entries).ToList();
        if (missing.Count > 0)
            throw RecordFormat.Error(part, $"the vocabulary lacks the special tokens {string.Join(" ", missing)}.");
        return new WordPieceTokenizer(vocabulary, entries, settings);
    }

    /// <summary>A tokenizer over a vocab.txt file, for tests: BERT's special tokens.</summary>
    public static WordPieceTokenizer Create(string vocabularyPath, bool lowerCase) => Create(File.ReadAllBytes(vocabularyPath), lowerCase, vocabularyPath);

    public override void CheckVocabularySize(int vocabularySize, string source)
        => WordPieceVocabulary.Check(_entries, vocabularySize, _settings.SpecialTokens(), source);

    // *** Binary format ***
    // string the settings (JSON, see Settings), then vocab.txt (see SubwordTokenizers.WriteFile)
    public override void Save(BinaryWriter writer)
    {
        RecordFormat.WriteConfig(writer, _settings);
        SubwordTokenizers.WriteFile(writer, _vocabulary);
    }

    private static SubwordTokenizer Load(BinaryReader reader, string part)
    {
        var settings = RecordFormat.ReadConfig<Settings>(reader, part);
        return Create(SubwordTokenizers.ReadFile(reader, "the vocabulary's length", part), settings, part);
    }

    /// <summary>The word piece ids of a text, without [CLS] and [SEP]; null or empty text has none.</summary>
    public override int[] Ids(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Array.Empty<int>();
        var ids = _tokenizer.EncodeToIds(Prepare(text, _settings.LowerCase), addSpecialTokens: false);
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
