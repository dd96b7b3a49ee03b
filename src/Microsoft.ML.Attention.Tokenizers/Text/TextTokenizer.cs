using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a fitted model (word tokenization, the model's limits and its vocabulary), exactly as the
/// model's <c>Transform</c> applies them, turning texts into the token ids that the model's ONNX export takes. It lives
/// in the Microsoft.ML.Attention.Tokenizers assembly (no TorchSharp, no ML.NET), so an application that scores the
/// exported graph in ONNX Runtime tokenizes with it and ships no libtorch. A text's ids are blocks of a fixed width (<see cref="HanTokenizer"/>: sentences; <see cref="FeaturizerTokenizer"/>:
/// windows), each padded with 0 after its last word; ids are 1 for a word the vocabulary does not hold. Write it with
/// <see cref="Save(Stream)"/> beside the ONNX file and read it with its class's <c>Load</c> where the graph is scored.
/// </summary>
public abstract class TextTokenizer
{
    // A magic string naming the kind, then a format version: a file of another kind or version fails when read, naming both.
    private const int FormatVersion = 1;

    private protected TextTokenizer(TextPreprocessing text, Vocabulary vocabulary)
    {
        Settings = text;
        Tokenizer = text.CreateTokenizer();
        Vocabulary = vocabulary;
    }

    private protected TextPreprocessing Settings { get; }

    private protected DocumentTokenizer Tokenizer { get; }

    private protected Vocabulary Vocabulary { get; }

    /// <summary>The ids in one block (a sentence or a window) of the ids.</summary>
    private protected abstract int BlockWidth { get; }

    /// <summary>The blocks of <paramref name="text"/>'s ids, each at most <see cref="BlockWidth"/> long, before padding.</summary>
    private protected abstract IEnumerable<int[]> Blocks(string? text);

    /// <summary>
    /// The token ids of <paramref name="text"/>: its blocks one after the other, each padded with 0 to the block width
    /// of the model's export.
    /// </summary>
    /// <param name="text">The text, as given to the model's text column.</param>
    public long[] TokenIds(string? text)
    {
        var blocks = Blocks(text).ToArray();
        int width = BlockWidth;
        var ids = new long[blocks.Length * width];
        for (int s = 0; s < blocks.Length; s++)
            for (int t = 0; t < blocks[s].Length; t++)
                ids[s * width + t] = blocks[s][t];
        return ids;
    }

    /// <summary>Several texts' ids as one [texts, blocks × width] array, each row padded with 0 to the most blocks of the batch.</summary>
    private protected long[] Batch(IReadOnlyList<string?> texts, out int blocks)
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
        blocks = longest / BlockWidth;
        return block;
    }

    /// <summary>The kind's magic string in the tokenizer's file.</summary>
    private protected abstract string Magic { get; }

    /// <summary>Writes the tokenizer's settings and vocabulary to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void Save(Stream stream) => TokenizerFile.Save(stream, Magic, FormatVersion, writer =>
    {
        RecordFormat.WriteConfig(writer, Settings);
        Vocabulary.Write(writer);
    });

    /// <summary>
    /// Reads what <see cref="Save(Stream)"/> wrote for the kind <paramref name="magic"/> and makes the tokenizer with
    /// <paramref name="create"/>; every failure is an <see cref="InvalidDataException"/> naming <paramref name="part"/>.
    /// </summary>
    private protected static T Load<T>(Stream stream, string magic, string part, string saver, Func<TextPreprocessing, Vocabulary, T> create)
        => TokenizerFile.Load(stream, magic, FormatVersion, part, saver, reader =>
        {
            var text = TextPreprocessing.Read(reader);
            Vocabulary vocabulary;
            try
            {
                vocabulary = Vocabulary.Read(reader);
            }
            catch (InvalidDataException e)
            {
                throw RecordFormat.Error(part, e.Message);
            }
            return create(text, vocabulary);
        });
}
