using System.IO;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A pretrained model's tokenizer: text → the model's token ids, and the ids that frame and pad a window
/// ([CLS] … [SEP] for WordPiece, &lt;s&gt; … &lt;/s&gt; for XLM-R's SentencePiece), read from the model's files. Each kind
/// is one class, registered once in <see cref="SubwordTokenizers"/>; the encoder sees only this class.
/// </summary>
internal abstract class SubwordTokenizer
{
    /// <summary>The kind, saved with the model to choose the class that loads it back.</summary>
    public abstract TokenizerKind Kind { get; }

    /// <summary>The id that opens a window ([CLS], &lt;s&gt;).</summary>
    public abstract int StartId { get; }

    /// <summary>The id that closes a window ([SEP], &lt;/s&gt;).</summary>
    public abstract int EndId { get; }

    /// <summary>The id that fills a batch's shorter windows ([PAD], &lt;pad&gt;).</summary>
    public abstract int PaddingId { get; }

    /// <summary>The ids of a text's pieces, without the window's start and end; null or empty text has none.</summary>
    public abstract int[] Ids(string? text);

    /// <summary>The piece an id stands for, as the model's files write it ("##s", "▁chat", "[UNK]").</summary>
    public abstract string Piece(int id);

    /// <summary>The tokenizer in words, for the Fit log ("WordPiece, lower-cased").</summary>
    public abstract string Describe();

    /// <summary>
    /// Refuses a tokenizer whose ids do not fit the model's <paramref name="vocabularySize"/> word embeddings, which
    /// would fail at the first text scored; <paramref name="source"/> names the tokenizer's file in errors.
    /// </summary>
    public abstract void CheckVocabularySize(int vocabularySize, string source);

    /// <summary>Writes the tokenizer's settings and files; its kind's <see cref="TokenizerKind.Load"/> reads them back.</summary>
    public abstract void Save(BinaryWriter writer);
}
