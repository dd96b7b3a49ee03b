using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a fitted hierarchical attention network: sentence splitting, word tokenization and the
/// vocabulary, exactly as the network's <c>Transform</c> applies them, turning a text into the token ids that the
/// network's ONNX export takes. It lives in the Microsoft.ML.Attention.Tokenizers assembly, which needs neither
/// TorchSharp nor ML.NET, so an application that scores the exported graph in ONNX Runtime tokenizes with it and ships
/// no libtorch. Get it from a fitted network (<c>HierarchicalAttentionTransformer.GetTokenizer</c>), write it with
/// <see cref="TextTokenizer.Save(Stream)"/> beside the ONNX file and read it with <see cref="Load(Stream)"/> where the
/// graph is scored.
/// </summary>
/// <remarks>
/// A document's ids are its sentences one after the other, each <see cref="MaximumWordsPerSentence"/> long, padded with
/// 0 after its last word; a null or blank text has no sentences. Ids are 1 for a word the vocabulary does not hold.
/// </remarks>
public sealed class HanTokenizer : TextTokenizer
{
    private const string HanMagic = "HANTOKEN";
    private const string Part = "HAN tokenizer";

    internal HanTokenizer(TextPreprocessing text, Vocabulary vocabulary) : base(text, vocabulary)
    {
        if (!(text.MaximumWordsPerSentence > 0))
            throw new InvalidOperationException("The hierarchical attention network was trained with MaximumWordsPerSentence = 0 (all words): "
                + "its token ids have no fixed sentence width, so it has no tokenizer for its ONNX export. Train it with MaximumWordsPerSentence above 0.");
    }

    /// <summary>The width of a sentence in the ids: the network's word limit per sentence.</summary>
    public int MaximumWordsPerSentence => Settings.MaximumWordsPerSentence!.Value;

    /// <summary>The most sentences a document's ids hold (the network's sentence limit); 0: all.</summary>
    public int MaximumSentences => Settings.MaximumSentences ?? 0;

    private protected override int BlockWidth => MaximumWordsPerSentence;

    private protected override string Magic => HanMagic;

    private protected override IEnumerable<int[]> Blocks(string? text) => TokenIdsOf(text);

    /// <summary>
    /// The token ids of several documents as one [documents, sentences × <see cref="MaximumWordsPerSentence"/>] block,
    /// each row padded with 0 to the most sentences of the batch: the input of an exported network's graph.
    /// </summary>
    /// <param name="texts">The documents.</param>
    /// <param name="sentences">The number of sentences of each row.</param>
    public long[] TokenIds(IReadOnlyList<string?> texts, out int sentences) => Batch(texts, out sentences);

    /// <summary>The ids of each sentence, as the network's Transform reads them.</summary>
    internal int[][] TokenIdsOf(string? text) => Microsoft.ML.Attention.Text.TokenIds.FromDocument(Tokenizer.Tokenize(text), Vocabulary);

    /// <summary>Reads a tokenizer written by <see cref="TextTokenizer.Save(Stream)"/> of a <see cref="HanTokenizer"/>.</summary>
    /// <param name="stream">A readable stream positioned at the tokenizer; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no HAN tokenizer, one of an unknown version, or a damaged one.</exception>
    public static HanTokenizer Load(Stream stream)
        => Load(stream, HanMagic, Part, "HanTokenizer.Save", (text, vocabulary) => new HanTokenizer(text, vocabulary));
}
