using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Reads the JSON files of a pretrained model folder (config.json, tokenizer_config.json, modules.json, ...): a
/// duplicate key, a field of the wrong JSON type or invalid JSON fails naming the file and the key, not with the
/// serializer's own exception.
/// </summary>
internal static class JsonFields
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Parses <paramref name="text"/>; <paramref name="path"/> names its source in errors.</summary>
    public static JsonNode? Parse(string text, string path)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: Strict);
        }
        catch (JsonException e)
        {
            throw CheckpointErrors.Invalid(path, $"not valid JSON ({e.Message}).");
        }
    }

    /// <summary>Parses the file at <paramref name="path"/>, which must exist.</summary>
    public static JsonNode? Read(string path)
    {
        if (!File.Exists(path))
            throw CheckpointErrors.Missing(path, "the file was expected in this model folder.");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/> (string, bool, int, double), or <paramref name="fallback"/> when it is absent or null.</summary>
    public static T Value<T>(JsonObject json, string key, string path, T fallback)
    {
        var node = json[key];
        if (node is null)
            return fallback;
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw CheckpointErrors.Invalid(path, $"'{key}' must be {Kind(typeof(T))}, found {node.ToJsonString()}.");
        }
    }

    /// <summary>The value of <paramref name="key"/>, or null when it is absent or null.</summary>
    public static T? Optional<T>(JsonObject json, string key, string path) where T : struct
        => json[key] is null ? null : Value(json, key, path, default(T));

    private static string Kind(Type type)
        => type == typeof(string) ? "a string" : type == typeof(bool) ? "true or false" : type == typeof(int) ? "an integer" : "a number";
}
