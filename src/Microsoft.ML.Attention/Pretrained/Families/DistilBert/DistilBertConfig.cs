using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The shape of a DistilBERT encoder, as Hugging Face's config.json gives it (model_type "distilbert": dim, n_layers,
/// n_heads, hidden_dim, activation). DistilBERT has no token types, and its LayerNorms' epsilon is fixed at 1e-12.
/// </summary>
internal sealed record DistilBertConfig(
    int VocabularySize,
    int HiddenSize,
    int NumberOfLayers,
    int NumberOfHeads,
    int FeedForwardSize,
    int MaxPositions,
    string Activation,
    double Dropout,
    double AttentionDropout) : IEncoderConfig
{
    /// <summary>Hugging Face's DistilBERT hard-codes its LayerNorms' epsilon; config.json does not carry it.</summary>
    public const double LayerNormEpsilon = 1e-12;

    /// <summary>GELU with erf, as Hugging Face's "gelu".</summary>
    public const string Gelu = "gelu";

    /// <summary>Hugging Face's "relu".</summary>
    public const string Relu = "relu";

    public ModelFamily Family => DistilBertFamily.Instance;

    /// <summary>Reads config.json (model_type "distilbert", chosen by <see cref="ModelFamilies"/>); <paramref name="path"/> names its source in errors.</summary>
    public static DistilBertConfig Read(JsonObject json, string path)
    {
        var activation = JsonFields.Value(json, "activation", path, Gelu);
        if (activation is not (Gelu or Relu))
            throw CheckpointErrors.Invalid(path, $"activation is '{activation}'; only 'gelu' (GELU with erf) and 'relu' are supported.");
        // Sinusoidal positions are stored in the checkpoint like learned ones, so sinusoidal_pos_embds needs no case.
        var config = new DistilBertConfig(
            Integer(json, "vocab_size", path, 30522),
            Integer(json, "dim", path, 768),
            Integer(json, "n_layers", path, 6),
            Integer(json, "n_heads", path, 12),
            Integer(json, "hidden_dim", path, 3072),
            Integer(json, "max_position_embeddings", path, 512),
            activation,
            JsonFields.Value(json, "dropout", path, 0.1),
            JsonFields.Value(json, "attention_dropout", path, 0.1));
        config.Validate(path);
        return config;
    }

    public void Validate(string source)
    {
        CheckpointErrors.Require(source, VocabularySize > 0 && HiddenSize > 0 && NumberOfLayers > 0 && NumberOfHeads > 0 && FeedForwardSize > 0 && MaxPositions >= 3,
            "vocab_size, dim, n_layers, n_heads and hidden_dim must be positive, max_position_embeddings at least 3.");
        CheckpointErrors.Require(source, HiddenSize % NumberOfHeads == 0, $"dim {HiddenSize} is not divisible by n_heads {NumberOfHeads}.");
        CheckpointErrors.Require(source, Dropout is >= 0 and < 1 && AttentionDropout is >= 0 and < 1, "dropout and attention_dropout must be in [0, 1).");
    }

    // The first and the last layer stand for all.
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
    {
        yield return ("embeddings.word_embeddings.weight", new long[] { VocabularySize, HiddenSize });
        yield return ("embeddings.position_embeddings.weight", new long[] { MaxPositions, HiddenSize });
        foreach (var layer in new[] { 0, NumberOfLayers - 1 }.Distinct())
        {
            yield return ($"transformer.layer.{layer}.attention.q_lin.weight", new long[] { HiddenSize, HiddenSize });
            yield return ($"transformer.layer.{layer}.ffn.lin1.weight", new long[] { FeedForwardSize, HiddenSize });
        }
    }

    public string Describe() => $"vocab_size {VocabularySize}, dim {HiddenSize}, n_layers {NumberOfLayers}, "
        + $"hidden_dim {FeedForwardSize}, max_position_embeddings {MaxPositions}";

    public string Summary() => $"DistilBERT encoder: width {HiddenSize}, {NumberOfLayers} layers, {NumberOfHeads} heads, feed-forward {FeedForwardSize} ({Activation}), dropout {Dropout:G3}";

    public string ToJson() => new JsonObject
    {
        ["model_type"] = DistilBertFamily.Instance.ModelType,
        ["activation"] = Activation,
        ["vocab_size"] = VocabularySize,
        ["dim"] = HiddenSize,
        ["n_layers"] = NumberOfLayers,
        ["n_heads"] = NumberOfHeads,
        ["hidden_dim"] = FeedForwardSize,
        ["max_position_embeddings"] = MaxPositions,
        ["dropout"] = Dropout,
        ["attention_dropout"] = AttentionDropout,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static int Integer(JsonObject json, string key, string path, int fallback) => JsonFields.Optional<int>(json, key, path) ?? fallback;
}
