using System;
using System.IO;
using Microsoft.ML;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// What every saved model of this library shares: one error style naming the part of the file that is wrong, the
/// check that refuses files of an older format, and architecture records written as named fields (a small JSON
/// document, like a Hugging Face config.json), so that a new option is a new field rather than a new positional format.
/// The error style and the JSON records are <see cref="RecordFormat"/>'s, shared with the tokenizer assembly.
/// </summary>
internal static class ModelFormat
{
    // Version of every transformer's model stream (one history for the library):
    //   0x00010001: initial (positional architecture blocks).
    //   0x00010002: architecture and text settings as named JSON fields; every output column's name saved.
    //   0x00010003: the self-attention featurizer records its encoder's kind (from scratch or pretrained BERT);
    //               the other components' streams are unchanged, and 0x00010002 models of every component still load.
    //               The pretrained encoder's own transformer (ApplyPretrainedEncoder) starts at this version.
    //   0x00010004: the pretrained encoder records its tokenizer's kind (stream "PretrainedTokenizer", replacing
    //               "WordPieceVocabulary"; lower-casing moves from the encoder's settings to the WordPiece tokenizer's);
    //               0x00010003 pretrained encoders load as WordPiece, and the other components' streams are unchanged.
    private const uint CurrentVersion = 0x00010004;

    // The first format whose pretrained encoders record their tokenizer's kind.
    public const uint PretrainedTokenizerKind = 0x00010004;

    // The format before the featurizer's encoder kind: still read (its encoder is one trained from scratch).
    public const uint FeaturizerWithoutEncoderKind = 0x00010002;

    // Older models still pass ML.NET's header check, so that CheckVersion, not a generic message, says what happened.
    private const uint OldestRecognizedVersion = 0x00010001;

    /// <summary>The version header of a transformer's model stream.</summary>
    /// <param name="modelSignature">Eight characters identifying the transformer.</param>
    /// <param name="loaderSignature">The name registered with <c>LoadableClass</c> (at most 24 characters).</param>
    /// <param name="transformer">The transformer type, whose assembly ML.NET loads to read the model.</param>
    public static VersionInfo Version(string modelSignature, string loaderSignature, System.Type transformer) => new VersionInfo(
        modelSignature: modelSignature,
        verWrittenCur: CurrentVersion,
        verReadableCur: CurrentVersion,
        verWeCanReadBack: OldestRecognizedVersion,
        loaderSignature: loaderSignature,
        loaderAssemblyName: transformer.Assembly.FullName);

    /// <summary>The one error for a model file that cannot be read: <paramref name="part"/> names what is wrong.</summary>
    public static InvalidDataException Error(string part, string problem) => RecordFormat.Error(part, problem);

    /// <summary>
    /// A column name from the model's string table (<paramref name="optional"/>: may be absent); a damaged table fails
    /// naming the column's role instead of ML.NET's bare "corrupt model file".
    /// </summary>
    public static string? ColumnName(ModelLoadContext ctx, string role, bool optional = false)
    {
        try
        {
            return optional ? ctx.LoadStringOrNull() : ctx.LoadNonEmptyString();
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw Error("header", $"the name of the {role} column is damaged ({e.Message}).");
        }
    }

    /// <summary>
    /// Runs a component's loader; a damaged model's error gains the model file and the zip entry of the component
    /// (ML.NET keeps a pipeline's transformers in entries such as "TransformerChain/Transform_001").
    /// </summary>
    public static T Load<T>(ModelLoadContext ctx, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (InvalidDataException e)
        {
            var path = ModelFileName.PathOf(ctx);
            var entry = string.IsNullOrEmpty(ctx.Directory) ? null : $"entry '{ctx.Directory.Replace('\\', '/')}'";
            if (path == null && entry == null)
                throw;
            var where = path == null ? "Model " + entry : $"Model file '{path}'" + (entry == null ? "" : ", " + entry);
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses model data whose fields, as read, end before or after the data's length in the header: a damaged length
    /// inside it (a string's, a count) was read as another value. ML.NET checks the same after the loader returns, with
    /// an error that names neither the component nor the part.
    /// </summary>
    public static void CheckAtEnd(ModelLoadContext ctx, string component)
    {
        long read = ctx.Reader.BaseStream.Position - ctx.FpMin - ctx.Header.FpModel;
        if (read != ctx.Header.CbModel)
            throw Error(component, $"its fields end after {read} of the {ctx.Header.CbModel} bytes of its model data: a length or count in it is damaged.");
    }

    // Formats from which every component's stream reads as it is written now.
    private const uint OldestReadableVersion = 0x00010002;

    /// <summary>
    /// Checks the model header, then refuses models older than <paramref name="oldestReadable"/> with a clear message.
    /// Returns the version the model was written with, for a component whose format changed since.
    /// </summary>
    public static uint CheckVersion(ModelLoadContext ctx, VersionInfo info, string component, uint oldestReadable = OldestReadableVersion)
    {
        ctx.CheckAtModel(info);
        var written = ctx.Header.ModelVerWritten;
        if (written < oldestReadable)
            throw Error(component, $"it was saved by an older version of Microsoft.ML.Attention (format 0x{written:X8}; " +
                $"this version reads 0x{oldestReadable:X8} to 0x{CurrentVersion:X8}). Train and save the model again with this version.");
        return written;
    }

    /// <summary>Refuses a length or count larger than the bytes left: <see cref="RecordFormat.CheckLength"/>.</summary>
    public static void CheckLength(BinaryReader reader, long length, string what, string part, long unit = 1)
        => RecordFormat.CheckLength(reader, length, what, part, unit);

    /// <summary>Reads a block whose length the stream gave: <see cref="RecordFormat.ReadBlock"/>.</summary>
    public static byte[] ReadBlock(BinaryReader reader, int length, string what, string part) => RecordFormat.ReadBlock(reader, length, what, part);

    /// <summary>Writes <paramref name="record"/> as a JSON document of its named fields.</summary>
    public static void WriteConfig<T>(BinaryWriter writer, T record) => RecordFormat.WriteConfig(writer, record);

    /// <summary>Reads what <see cref="WriteConfig"/> wrote; a missing, unknown or mistyped field fails naming <paramref name="part"/>.</summary>
    public static T ReadConfig<T>(BinaryReader reader, string part) => RecordFormat.ReadConfig<T>(reader, part);
}
