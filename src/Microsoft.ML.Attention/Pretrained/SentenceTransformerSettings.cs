using Microsoft.ML.Attention.Core;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// What a sentence-transformers folder says about turning token states into a sentence vector: modules.json (a
/// Transformer module, then Pooling, optionally Normalize), 1_Pooling/config.json (the pooling mode) and
/// sentence_bert_config.json (the maximum sequence length, extra lower-casing). Followed exactly, so that frozen
/// vectors equal what sentence-transformers computes; modules this encoder cannot compute are refused.
/// </summary>
internal sealed record SentenceTransformerSettings(string TransformerFolder, PoolingMode Pooling, bool Normalize, int? MaxSequenceLength, bool LowerCase)
{
    private const string TransformerModule = "sentence_transformers.models.Transformer";
    private const string PoolingModule = "sentence_transformers.models.Pooling";
    private const string Normalization = "sentence_transformers.models.Normalize";

    public static SentenceTransformerSettings Read(string folder)
    {
        var modulesPath = Path.Combine(folder, "modules.json");
        var modules = Json(modulesPath) as JsonArray ?? throw CheckpointErrors.Invalid(modulesPath, "a JSON array of modules was expected.");
        string? transformer = null, pooling = null;
        bool normalize = false;
        foreach (var module in modules.OfType<JsonObject>().OrderBy(m => JsonFields.Value(m, "idx", modulesPath, 0)))
        {
            var type = JsonFields.Value<string?>(module, "type", modulesPath, null);
            var path = JsonFields.Value(module, "path", modulesPath, "");
            switch (type)
            {
                case TransformerModule when transformer == null && pooling == null: transformer = path; break;
                case PoolingModule when transformer != null && pooling == null: pooling = path; break;
                case Normalization when pooling != null && !normalize: normalize = true; break;
                default:
                    throw CheckpointErrors.Invalid(modulesPath, $"module '{type}' at '{path}' is not supported: a Transformer, a Pooling and optionally a Normalize module, in that order, were expected.");
            }
        }
        if (transformer == null || pooling == null)
            throw CheckpointErrors.Invalid(modulesPath, "a Transformer module followed by a Pooling module was expected.");

        var poolingPath = Path.Combine(Inside(folder, pooling, modulesPath), "config.json");
        var poolingConfig = Json(poolingPath) as JsonObject ?? throw CheckpointErrors.Invalid(poolingPath, "a JSON object was expected.");
        bool Mode(string key) => JsonFields.Value(poolingConfig, key, poolingPath, false);
        var modes = new[] { "pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
            "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken" }.Where(Mode).ToArray();
        var mode = modes.Length == 1 ? modes[0] : null;
        var tokenPooling = mode switch
        {
            "pooling_mode_mean_tokens" => PoolingMode.Mean,
            "pooling_mode_cls_token" => PoolingMode.FirstToken,
            "pooling_mode_max_tokens" => PoolingMode.Max,
            _ => throw CheckpointErrors.Invalid(poolingPath, $"pooling modes [{string.Join(", ", modes)}]: exactly one of pooling_mode_mean_tokens, pooling_mode_cls_token or pooling_mode_max_tokens was expected."),
        };

        int? maxLength = null;
        bool lowerCase = false;
        var bertConfigPath = Path.Combine(folder, "sentence_bert_config.json");
        if (File.Exists(bertConfigPath))
        {
            var bertConfig = Json(bertConfigPath) as JsonObject ?? throw CheckpointErrors.Invalid(bertConfigPath, "a JSON object was expected.");
            maxLength = JsonFields.Optional<int>(bertConfig, "max_seq_length", bertConfigPath);
            lowerCase = JsonFields.Value(bertConfig, "do_lower_case", bertConfigPath, false);
            if (maxLength is <= 2)
                throw CheckpointErrors.Invalid(bertConfigPath, $"max_seq_length {maxLength} leaves no room for text between [CLS] and [SEP].");
        }
        return new SentenceTransformerSettings(Inside(folder, transformer, modulesPath), tokenPooling, normalize, maxLength, lowerCase);
    }

    // A module's folder, which must be the model folder or below it: weights and a vocabulary read from elsewhere
    // (an absolute path, "..") would be scored with and then copied into a saved model.
    private static string Inside(string folder, string relative, string modulesPath)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(root, relative)));
        if (Path.IsPathRooted(relative) || full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, System.StringComparison.Ordinal))
            throw CheckpointErrors.Invalid(modulesPath, $"module path '{relative}' leads outside the model folder (to {full}); paths in modules.json must stay inside it.");
        return full;
    }

    internal static JsonNode? Json(string path) => JsonFields.Read(path);
}
