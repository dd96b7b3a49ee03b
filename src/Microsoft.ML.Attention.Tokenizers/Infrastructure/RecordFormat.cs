using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The part of the saved-model format that needs no ML.NET: the one error style naming the part of a file that is
/// wrong, and records written as named JSON fields. <c>ModelFormat</c> in the main library forwards to it, so the text
/// front end (this assembly) and the models read and write the same way.
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
