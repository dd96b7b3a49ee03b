using System.IO;
using Microsoft.ML;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A pretrained encoder's tokenizer inside ML.NET's model zip: the model stream that records its kind and data
/// (<see cref="SubwordTokenizers.Save(BinaryWriter, SubwordTokenizer)"/>), and the WordPiece stream of models saved
/// before tokenizers had kinds. The tokenizers themselves live in the Tokenizers assembly, which has no ML.NET.
/// </summary>
internal static class TokenizerStream
{
    private const string Stream = "PretrainedTokenizer";

    /// <summary>The model stream of a tokenizer saved before tokenizers had kinds: a WordPiece vocabulary.</summary>
    public const string WordPieceStream = "WordPieceVocabulary";

    // *** Binary format ***
    // stream "PretrainedTokenizer": the tokenizer's kind, then its data (SubwordTokenizers.Save)
    // Before 0x00010004: stream "WordPieceVocabulary" (int byte count, vocab.txt's bytes), lower-casing in the encoder's settings.
    public static void Save(ModelSaveContext ctx, SubwordTokenizer tokenizer)
        => ctx.SaveBinaryStream(Stream, writer => SubwordTokenizers.Save(writer, tokenizer));

    /// <summary>Reads the tokenizer a model saved since 0x00010004.</summary>
    public static SubwordTokenizer Load(ModelLoadContext ctx)
    {
        SubwordTokenizer? tokenizer = null;
        const string part = $"tokenizer '{Stream}'";
        if (!ctx.TryLoadBinaryStream(Stream, reader =>
            {
                try
                {
                    tokenizer = SubwordTokenizers.Load(reader, part);
                }
                catch (EndOfStreamException)
                {
                    throw ModelFormat.Error(part, "it is truncated.");
                }
            }))
            throw ModelFormat.Error("tokenizer", $"the '{Stream}' stream is missing.");
        return tokenizer!;
    }

    /// <summary>Reads the WordPiece vocabulary of a model saved before tokenizers had kinds.</summary>
    public static SubwordTokenizer LoadWordPiece(ModelLoadContext ctx, bool lowerCase)
    {
        byte[]? vocabulary = null;
        const string part = $"WordPiece vocabulary '{WordPieceStream}'";
        if (!ctx.TryLoadBinaryStream(WordPieceStream, reader =>
            {
                try
                {
                    vocabulary = SubwordTokenizers.ReadFile(reader, "the vocabulary's length", part);
                }
                catch (EndOfStreamException)
                {
                    throw ModelFormat.Error(part, "it is truncated.");
                }
            }))
            throw ModelFormat.Error("WordPiece vocabulary", $"the '{WordPieceStream}' stream is missing.");
        return WordPieceTokenizer.Create(vocabulary!, lowerCase, part);
    }
}
