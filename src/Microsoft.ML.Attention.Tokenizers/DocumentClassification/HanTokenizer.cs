using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a fitted hierarchical attention network: sentence splitting, word tokenization and the
/// vocabulary, exactly as the network's <c>Transform</c> applies them, turning a text into the token ids that the
/// network's ONNX export takes. It lives in the Microsoft.ML.Attention.Tokenizers assembly, which depends on nothing
/// beyond .NET, so an application that scores the exported graph in ONNX Runtime tokenizes with it and ships neither
/// TorchSharp nor libtorch. Get it from a fitted network (<c>HierarchicalAttentionTransformer.GetTokenizer</c>), write
/// it with <see cref="Save(Stream)"/> beside the ONNX file and read it with <see cref="Load(Stream)"/> where the graph
/// is scored.
/// </summary>
/// <remarks>
/// A document's ids are its sentences one after the other, each <see cref="MaximumWordsPerSentence"/> long, padded with
/// 0 after its last word; a null or blank text has no sentences. Ids are 1 for a word the vocabulary does not hold.
/// </remarks>
public sealed class HanTokenizer
{
    // "HANTOKEN" then a format version: a file of another kind or version fails when read, naming both.
    private const string Magic = "HANTOKEN";
    private const int FormatVersion = 1;
    private const string Part = "HAN tokenizer";

    private readonly TextPreprocessing _text;
    private readonly DocumentTokenizer _tokenizer;
    private readonly Vocabulary _vocabulary;

    internal HanTokenizer(TextPreprocessing text, Vocabulary vocabulary)
    {
        if (!(text.MaximumWordsPerSentence > 0))
            throw new InvalidOperationException("The hierarchical attention network was trained with MaximumWordsPerSentence = 0 (all words): "
                + "its token ids have no fixed sentence width, so it has no tokenizer for its ONNX export. Train it with MaximumWordsPerSentence above 0.");
        _text = text;
        _tokenizer = text.CreateTokenizer();
        _vocabulary = vocabulary;
    }

    /// <summary>The width of a sentence in the ids: the network's word limit per sentence.</summary>
    public int MaximumWordsPerSentence => _text.MaximumWordsPerSentence!.Value;

    /// <summary>The most sentences a document's ids hold (the network's sentence limit); 0: all.</summary>
    public int MaximumSentences => _text.MaximumSentences ?? 0;

    /// <summary>
    /// The token ids of <paramref name="text"/>: for each sentence the network reads, <see cref="MaximumWordsPerSentence"/>
    /// ids, 0 after the sentence's last word. Empty for a null or blank text.
    /// </summary>
    /// <param name="text">The document, as given to the network's text column.</param>
    public long[] TokenIds(string? text)
    {
        var sentences = TokenIdsOf(text);
        int width = MaximumWordsPerSentence;
        var ids = new long[sentences.Length * width];
        for (int s = 0; s < sentences.Length; s++)
            for (int t = 0; t < sentences[s].Length; t++)
                ids[s * width + t] = sentences[s][t];
        return ids;
    }

    /// <summary>
    /// The token ids of several documents as one [documents, sentences × <see cref="MaximumWordsPerSentence"/>] block,
    /// each row padded with 0 to the most sentences of the batch: the input of an exported network's graph.
    /// </summary>
    /// <param name="texts">The documents.</param>
    /// <param name="sentences">The number of sentences of each row.</param>
    public long[] TokenIds(IReadOnlyList<string?> texts, out int sentences)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new long[texts.Count][];
        int longest = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = TokenIds(texts[i]);
            longest = Math.Max(longest, rows[i].Length);
        }
        var block = new long[rows.Length * longest];
        for (int i = 0; i < rows.Length; i++)
            rows[i].CopyTo(block, i * longest);
        sentences = longest / MaximumWordsPerSentence;
        return block;
    }

    private static Vocabulary ReadVocabulary(BinaryReader reader)
    {
        try
        {
            return Vocabulary.Read(reader);
        }
        catch (InvalidDataException e)
        {
            throw RecordFormat.Error(Part, e.Message);
        }
    }

    /// <summary>The ids of each sentence, as the network's Transform reads them.</summary>
    internal int[][] TokenIdsOf(string? text) => Text.TokenIds.FromDocument(_tokenizer.Tokenize(text), _vocabulary);

    /// <summary>Writes the tokenizer's settings and vocabulary to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        RecordFormat.WriteConfig(writer, _text);
        _vocabulary.Write(writer);
    }

    /// <summary>Reads a tokenizer written by <see cref="Save(Stream)"/>.</summary>
    /// <param name="stream">A readable stream positioned at the tokenizer; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no tokenizer, one of an unknown version, or a damaged one.</exception>
    public static HanTokenizer Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic)
                throw RecordFormat.Error(Part, "the stream does not hold a tokenizer written by HanTokenizer.Save.");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw RecordFormat.Error(Part, $"format version {version}; this library reads version {FormatVersion}.");
            var text = TextPreprocessing.Read(reader);
            return new HanTokenizer(text, ReadVocabulary(reader));
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw RecordFormat.Error(Part, "the stream ends inside the tokenizer or holds a damaged length.");
        }
        catch (InvalidOperationException e)
        {
            throw RecordFormat.Error(Part, e.Message);
        }
    }
}
