using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The tokenizer files of a model folder as a <see cref="TokenizerKind"/> reads them: its own file (vocab.txt,
/// sentencepiece.bpe.model), tokenizer_config.json (tokenizer_class, do_lower_case, the special tokens and
/// added_tokens_decoder), special_tokens_map.json and tokenizer.json's added_tokens.
/// </summary>
/// <param name="Folder">The folder holding the tokenizer's files.</param>
/// <param name="ExplicitFile">The tokenizer's file when given by the user (an .onnx model's vocabulary), else null.</param>
/// <param name="LowerCaseText">Lower-case texts before tokenizing (sentence-transformers' do_lower_case).</param>
/// <param name="VocabularySize">The model's word embeddings, which the tokenizer's ids must fit.</param>
internal sealed record TokenizerFiles(string Folder, string? ExplicitFile, bool LowerCaseText, int VocabularySize)
{
    public const string ConfigFile = "tokenizer_config.json";
    private const string SpecialTokensFile = "special_tokens_map.json";
    private const string TokenizerJsonFile = "tokenizer.json";

    private JsonObject? _config;
    private bool _configRead;

    /// <summary>tokenizer_config.json's path.</summary>
    public string ConfigPath => Path.Combine(Folder, ConfigFile);

    /// <summary>The kind's file: the one the user named, else the kind's file name in the folder.</summary>
    public string FileOf(TokenizerKind kind) => ExplicitFile ?? Path.Combine(Folder, kind.FileName);

    /// <summary>tokenizer_config.json, or null when the folder has none.</summary>
    public JsonObject? Config
    {
        get
        {
            if (!_configRead)
            {
                _config = ReadObject(ConfigPath);
                _configRead = true;
            }
            return _config;
        }
    }

    /// <summary>tokenizer_config.json's tokenizer_class without a "Fast" suffix (the same tokenization), or null.</summary>
    public string? TokenizerClass
    {
        get
        {
            var name = Config is { } config ? JsonFields.Value<string?>(config, "tokenizer_class", ConfigPath, null) : null;
            return name is not null && name.EndsWith("Fast", StringComparison.Ordinal) ? name[..^"Fast".Length] : name;
        }
    }

    /// <summary>tokenizer_config.json's do_lower_case, or null.</summary>
    public bool? LowerCase => Config is { } config ? JsonFields.Optional<bool>(config, "do_lower_case", ConfigPath) : null;

    /// <summary>
    /// The text of a special token by its role ("cls_token", "pad_token"): tokenizer_config.json's, else
    /// special_tokens_map.json's, else <paramref name="fallback"/> (the tokenizer class's default).
    /// </summary>
    public string SpecialToken(string role, string fallback)
    {
        foreach (var path in new[] { ConfigPath, Path.Combine(Folder, SpecialTokensFile) })
            if (ReadObject(path) is { } json && json[role] is { } node)
                return TokenText(node, path, role);
        return fallback;
    }

    /// <summary>
    /// The id the model's files give a special token's text: tokenizer.json's added_tokens, else tokenizer_config.json's
    /// added_tokens_decoder; null when neither names it.
    /// </summary>
    public int? AddedTokenId(string content)
    {
        var tokenizerJson = Path.Combine(Folder, TokenizerJsonFile);
        if (ReadObject(tokenizerJson)?["added_tokens"] is JsonArray added)
            foreach (var token in added.OfType<JsonObject>())
                if (JsonFields.Value<string?>(token, "content", tokenizerJson, null) == content)
                    return JsonFields.Optional<int>(token, "id", tokenizerJson);
        if (Config?["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (id, token) in decoder)
                if (token is JsonObject entry && JsonFields.Value<string?>(entry, "content", ConfigPath, null) == content)
                    return int.TryParse(id, out var value) ? value
                        : throw CheckpointErrors.Invalid(ConfigPath, $"added_tokens_decoder has the key '{id}' where a token id was expected.");
        return null;
    }

    // A special token is written as its text or as an object with its content (and lstrip, rstrip, ...).
    private static string TokenText(JsonNode node, string path, string role)
    {
        if (node is JsonObject token)
            return JsonFields.Value<string?>(token, "content", path, null) ?? throw CheckpointErrors.Invalid(path, $"'{role}' has no content.");
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
            return text;
        throw CheckpointErrors.Invalid(path, $"'{role}' must be a string or an object with its content, found {node.ToJsonString()}.");
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path))
            return null;
        return JsonFields.Read(path) as JsonObject ?? throw CheckpointErrors.Invalid(path, "a JSON object was expected.");
    }
}
