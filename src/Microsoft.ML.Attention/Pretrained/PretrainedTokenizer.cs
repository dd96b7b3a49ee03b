using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a pretrained encoder: Hugging Face's basic tokenization, WordPiece over the model's vocabulary,
/// [CLS] and [SEP], and the long-text rule, exactly as the encoder's <c>Transform</c> applies them (it is the code
/// path the encoder itself tokenizes with), turning a text into the token ids that the encoder's ONNX export takes. It
/// uses no TorchSharp type, so an application that scores the exported graph in ONNX Runtime tokenizes with it
/// without loading libtorch. Get it from a fitted encoder (<see cref="PretrainedEncoderTransformer.GetTokenizer"/> or
/// <see cref="PretrainedTextClassifierTransformer.GetTokenizer"/>), write it with <see cref="Save(Stream)"/> beside
/// the ONNX file and read it with <see cref="Load(Stream)"/> where the graph is scored.
/// </summary>
/// <remarks>
/// A text's ids are [CLS], its word pieces and [SEP], at most <see cref="MaximumTokens"/> (a longer text keeps its head
/// and tail); a null or empty text is [CLS] [SEP]. In a batch, rows are padded with <see cref="PaddingId"/> (-1): the
/// exported graph reads every negative id as padding, so no word piece (not even a literal "[PAD]" in the text) is
/// taken for padding.
/// </remarks>
public sealed class PretrainedTokenizer
{
    // "BERTTOKENIZER" then a format version: a file of another kind or version fails when read, naming both.
    private const string Magic = "BERTTOKENIZER";
    private const int FormatVersion = 1;
    private const string Part = "pretrained encoder tokenizer";

    /// <summary>The id that pads the rows of a batch (<see cref="TokenIds(IReadOnlyList{string}, out int)"/>); the exported graph ignores every negative id.</summary>
    public const long PaddingId = -1;

    private readonly byte[] _vocabulary;
    private readonly Settings _settings;

    /// <summary>What the tokenizer saves beside the vocabulary.</summary>
    internal sealed record Settings(bool LowerCase, int MaximumTokens, LongTextHandling LongText);

    internal PretrainedTokenizer(byte[] vocabulary, bool lowerCase, int maximumTokens, LongTextHandling longText)
    {
        _vocabulary = vocabulary;
        _settings = new Settings(lowerCase, maximumTokens, longText);
        using var stream = new MemoryStream(vocabulary, writable: false);
        Text = WordPieceText.Create(stream, lowerCase);
    }

    /// <summary>The WordPiece tokenization, as the encoder reads it.</summary>
    internal WordPieceText Text { get; }

    /// <summary>The vocabulary file's bytes (vocab.txt).</summary>
    internal byte[] Vocabulary => _vocabulary;

    /// <summary>The most ids of one text, [CLS] and [SEP] included: the encoder's maximum tokens per window.</summary>
    public int MaximumTokens => _settings.MaximumTokens;

    /// <summary>Whether texts are lower-cased and stripped of accents first (the model's do_lower_case).</summary>
    public bool LowerCase => _settings.LowerCase;

    /// <summary>The windows of a text, as the encoder reads them; null or empty text is one window [CLS] [SEP].</summary>
    internal PretrainedTokens Tokenize(string? text)
        => PretrainedTokens.Build(Text.Ids(text), Text.ClassificationId, Text.SeparatorId, _settings.MaximumTokens, _settings.LongText);

    /// <summary>
    /// The token ids of <paramref name="text"/>: [CLS], its word pieces and [SEP], as the encoder reads them.
    /// </summary>
    /// <param name="text">The text, as given to the encoder's text column; null or empty gives [CLS] [SEP].</param>
    /// <exception cref="InvalidOperationException">The encoder reads long texts in several windows
    /// (<see cref="LongTextHandling.SlidingWindow"/>) and this text needs more than one.</exception>
    public long[] TokenIds(string? text)
    {
        var windows = Tokenize(text).Windows;
        if (windows.Length != 1)
            throw new InvalidOperationException($"The text needs {windows.Length} windows of {MaximumTokens} tokens: this encoder reads long texts with "
                + $"LongTextHandling.{LongTextHandling.SlidingWindow}, which its ONNX export does not support. Fit it with LongTextHandling.{LongTextHandling.HeadAndTail}.");
        return Array.ConvertAll(windows[0], id => (long)id);
    }

    /// <summary>
    /// The token ids of several texts as one [texts, tokens] block, each row padded with <see cref="PaddingId"/> to the
    /// longest of the batch: the input of an exported encoder's graph.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="tokens">The length of each row.</param>
    public long[] TokenIds(IReadOnlyList<string?> texts, out int tokens)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new long[texts.Count][];
        tokens = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = TokenIds(texts[i]);
            tokens = Math.Max(tokens, rows[i].Length);
        }
        var block = new long[rows.Length * tokens];
        Array.Fill(block, PaddingId);
        for (int i = 0; i < rows.Length; i++)
            rows[i].CopyTo(block, i * tokens);
        return block;
    }

    /// <summary>Writes the tokenizer's settings and vocabulary to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void Save(Stream stream) => TokenizerFile.Save(stream, Magic, FormatVersion, writer =>
    {
        ModelFormat.WriteConfig(writer, _settings);
        writer.Write(_vocabulary.Length);
        writer.Write(_vocabulary);
    });

    /// <summary>Reads a tokenizer written by <see cref="Save(Stream)"/>.</summary>
    /// <param name="stream">A readable stream positioned at the tokenizer; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no tokenizer, one of an unknown version, or a damaged one.</exception>
    public static PretrainedTokenizer Load(Stream stream) => TokenizerFile.Load(stream, Magic, FormatVersion, Part, "PretrainedTokenizer.Save", reader =>
    {
        var settings = ModelFormat.ReadConfig<Settings>(reader, Part);
        if (settings.MaximumTokens < 3)
            throw ModelFormat.Error(Part, $"the maximum tokens per text is {settings.MaximumTokens}; at least 3 was expected.");
        var vocabulary = ModelFormat.ReadBlock(reader, reader.ReadInt32(), "the vocabulary's length", Part);
        return new PretrainedTokenizer(vocabulary, settings.LowerCase, settings.MaximumTokens, settings.LongText);
    });
}
