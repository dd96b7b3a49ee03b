using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a pretrained encoder: the model's own tokenizer (WordPiece, SentencePiece), the window's start
/// and end tokens ([CLS] … [SEP], &lt;s&gt; … &lt;/s&gt;) and the long-text rule, exactly as the encoder's <c>Transform</c>
/// applies them (it is the code path the encoder itself tokenizes with), turning a text into the token ids that the
/// encoder's ONNX export takes. It lives in the Microsoft.ML.Attention.Tokenizers assembly (no TorchSharp, no ML.NET;
/// Microsoft.ML.Tokenizers computes WordPiece and SentencePiece), so an application that scores the exported graph in
/// ONNX Runtime tokenizes with it and ships no libtorch. Get it from a fitted encoder
/// (<c>PretrainedEncoderTransformer.GetTokenizer</c> or <c>PretrainedTextClassifierTransformer.GetTokenizer</c>), write
/// it with <see cref="Save(Stream)"/> beside the ONNX file and read it with <see cref="Load(Stream)"/> where the graph
/// is scored.
/// </summary>
/// <remarks>
/// A text's ids are the start token, its pieces and the end token, at most <see cref="MaximumTokens"/> (a longer text
/// keeps its head and tail); a null or empty text is the start and end tokens. In a batch, rows are padded with
/// <see cref="PaddingId"/> (-1): the exported graph reads every negative id as padding, so no piece of a text (not even
/// a literal "[PAD]") is taken for padding.
/// </remarks>
public sealed class PretrainedTokenizer
{
    // A magic string then a format version: a file of another kind or version fails when read, naming both.
    private const string Magic = "PRETRAINEDTOKENIZER";
    private const int FormatVersion = 1;
    private const string Part = "pretrained encoder tokenizer";

    /// <summary>The id that pads the rows of a batch (<see cref="TokenIds(IReadOnlyList{string}, out int)"/>); the exported graph ignores every negative id.</summary>
    public const long PaddingId = -1;

    private readonly Settings _settings;

    /// <summary>What the tokenizer saves beside its kind and files.</summary>
    internal sealed record Settings(int MaximumTokens, LongTextHandling LongText);

    internal PretrainedTokenizer(SubwordTokenizer subword, int maximumTokens, LongTextHandling longText)
    {
        Subword = subword;
        _settings = new Settings(maximumTokens, longText);
    }

    /// <summary>The model's tokenizer, as the encoder reads it.</summary>
    internal SubwordTokenizer Subword { get; }

    /// <summary>The most ids of one text, start and end tokens included: the encoder's maximum tokens per window.</summary>
    public int MaximumTokens => _settings.MaximumTokens;

    /// <summary>What the encoder does with texts longer than <see cref="MaximumTokens"/>.</summary>
    public LongTextHandling LongText => _settings.LongText;

    /// <summary>The windows of a text, as the encoder reads them; null or empty text is one window of the start and end tokens.</summary>
    internal PretrainedTokens Tokenize(string? text)
        => PretrainedTokens.Build(Subword.Ids(text), Subword.StartId, Subword.EndId, _settings.MaximumTokens, _settings.LongText);

    /// <summary>
    /// The token ids of <paramref name="text"/>: the start token, its pieces and the end token, as the encoder reads them.
    /// </summary>
    /// <param name="text">The text, as given to the encoder's text column; null or empty gives the start and end tokens.</param>
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

    // *** File format ***
    // string magic, int version, string settings (JSON), string the tokenizer's kind, then the kind's data (its Save)

    /// <summary>Writes the tokenizer's settings, kind and files to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void Save(Stream stream) => TokenizerFile.Save(stream, Magic, FormatVersion, writer =>
    {
        RecordFormat.WriteConfig(writer, _settings);
        SubwordTokenizers.Save(writer, Subword);
    });

    /// <summary>Reads a tokenizer written by <see cref="Save(Stream)"/>.</summary>
    /// <param name="stream">A readable stream positioned at the tokenizer; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no tokenizer, one of an unknown version, or a damaged one.</exception>
    public static PretrainedTokenizer Load(Stream stream) => TokenizerFile.Load(stream, Magic, FormatVersion, Part, "PretrainedTokenizer.Save", reader =>
    {
        var settings = RecordFormat.ReadConfig<Settings>(reader, Part);
        if (settings.MaximumTokens < 3)
            throw RecordFormat.Error(Part, $"the maximum tokens per text is {settings.MaximumTokens}; at least 3 was expected.");
        var subword = SubwordTokenizers.Load(reader, Part);
        return new PretrainedTokenizer(subword, settings.MaximumTokens, settings.LongText);
    });
}
