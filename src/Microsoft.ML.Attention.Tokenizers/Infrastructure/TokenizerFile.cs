using System;
using System.IO;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The file of a tokenizer that an ONNX export's users save beside the graph (<see cref="TextTokenizer"/>,
/// <see cref="PretrainedTokenizer"/>): a name and a format version, then the tokenizer's own parts. A file of another
/// kind or version, or a damaged one, fails when read with an <see cref="InvalidDataException"/> naming the tokenizer.
/// </summary>
internal static class TokenizerFile
{
    /// <summary>Writes the header, then the tokenizer's parts with <paramref name="write"/>; the stream is left open.</summary>
    public static void Save(Stream stream, string magic, int version, Action<BinaryWriter> write)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(magic);
        writer.Write(version);
        write(writer);
    }

    /// <summary>
    /// Checks the header, then reads the tokenizer's parts with <paramref name="read"/>; the stream is left open.
    /// <paramref name="part"/> names the tokenizer in errors, <paramref name="saver"/> the method that writes such files.
    /// </summary>
    public static T Load<T>(Stream stream, string magic, int version, string part, string saver, Func<BinaryReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != magic)
                throw RecordFormat.Error(part, $"the stream does not hold a tokenizer written by {saver}.");
            int found = reader.ReadInt32();
            if (found != version)
                throw RecordFormat.Error(part, $"format version {found}; this library reads version {version}.");
            return read(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw RecordFormat.Error(part, "the stream ends inside the tokenizer or holds a damaged length.");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw RecordFormat.Error(part, e.Message);
        }
    }
}
