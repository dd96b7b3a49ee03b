using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The part of the saved-model format that needs no ML.NET: the one error style naming the part of a file that is
/// wrong, lengths checked against the bytes left, and records written as named JSON fields. <c>ModelFormat</c> in the
/// main library forwards to it, so the tokenizers (this assembly) and the models read and write the same way.
/// </summary>
internal static class RecordFormat
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
    {
        // Enums by name; an unknown name or a number fails instead of loading garbage.
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The one error for a model file that cannot be read: <paramref name="part"/> names what is wrong.</summary>
    public static InvalidDataException Error(string part, string problem)
        => new InvalidDataException($"Cannot load the model's {part}: {problem}");

    /// <summary>
    /// Refuses a length or count read from a model stream that is negative or larger than the bytes left in it
    /// (<paramref name="unit"/> bytes per item at least), before anything of that size is allocated.
    /// </summary>
    public static void CheckLength(BinaryReader reader, long length, string what, string part, long unit = 1)
    {
        long left = reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position : long.MaxValue;
        if (length < 0 || length > left / unit)
            throw Error(part, $"{what} claims {length}{(unit == 1 ? " bytes" : "")} where {left} bytes remain: the stream is truncated or damaged.");
    }

    /// <summary>
    /// Reads a block whose length the stream gave: checked against the bytes left, and on a stream without a length
    /// read a slice at a time, so a damaged length never allocates more than the stream holds.
    /// </summary>
    public static byte[] ReadBlock(BinaryReader reader, int length, string what, string part)
    {
        CheckLength(reader, length, what, part);
        if (reader.BaseStream.CanSeek)
            return reader.ReadBytes(length);
        using var block = new MemoryStream();
        var slice = new byte[Math.Min(length, 1 << 20)];
        for (int left = length; left > 0;)
        {
            int read = reader.Read(slice, 0, Math.Min(left, slice.Length));
            if (read == 0)
                throw Error(part, $"the stream ends inside {what} ({length} bytes announced).");
            block.Write(slice, 0, read);
            left -= read;
        }
        return block.ToArray();
    }

    /// <summary>Writes <paramref name="record"/> as a JSON document of its named fields.</summary>
    public static void WriteConfig<T>(BinaryWriter writer, T record) => writer.Write(JsonSerializer.Serialize(record, Json));

    /// <summary>Reads what <see cref="WriteConfig"/> wrote; a missing, unknown or mistyped field fails naming <paramref name="part"/>.</summary>
    public static T ReadConfig<T>(BinaryReader reader, string part)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(reader.ReadString(), Json) ?? throw Error(part, "the configuration is empty.");
        }
        catch (JsonException e)
        {
            throw Error(part, "the configuration is not valid: " + e.Message);
        }
        catch (EndOfStreamException)
        {
            throw Error(part, "the stream ends inside the configuration: it is truncated or damaged.");
        }
        catch (System.FormatException)
        {
            throw Error(part, "the configuration's length is damaged.");
        }
    }
}
