using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The shape of a BERT encoder, as Hugging Face's config.json gives it (model_type "bert"). Only what the encoder
/// needs is kept; <see cref="ToJson"/> writes a config.json this class reads back, for saving it with a model.
/// </summary>
internal sealed record BertConfig(
    int VocabularySize,
    int HiddenSize,
    int NumberOfLayers,
    int NumberOfHeads,
    int IntermediateSize,
    int MaxPositions,
    int TypeVocabularySize,
    double LayerNormEpsilon,
    double HiddenDropout,
    double AttentionDropout) : IEncoderConfig
{
    // Hugging Face's name of GELU with erf; "gelu_new"/"gelu_pytorch_tanh" are the tanh approximation, which this
    // encoder does not compute, so such models are refused rather than silently computed differently.
    private const string Gelu = "gelu";

    public ModelFamily Family => BertFamily.Instance;

    public int HeadSize => HiddenSize / NumberOfHeads;

    /// <summary>Reads config.json (model_type "bert", chosen by <see cref="ModelFamilies"/>); <paramref name="path"/> names its source in errors.</summary>
    public static BertConfig Read(JsonObject json, string path)
    {
        var activation = JsonFields.Value(json, "hidden_act", path, Gelu);
        if (activation != Gelu)
            throw CheckpointErrors.Invalid(path, $"hidden_act is '{activation}'; only 'gelu' (GELU with erf) is supported.");
        var positionType = JsonFields.Value(json, "position_embedding_type", path, "absolute");
        if (positionType != "absolute")
            throw CheckpointErrors.Invalid(path, $"position_embedding_type is '{positionType}'; only 'absolute' (learned positions) is supported.");
        var config = new BertConfig(
            Integer(json, "vocab_size", path, null),
            Integer(json, "hidden_size", path, null),
            Integer(json, "num_hidden_layers", path, null),
            Integer(json, "num_attention_heads", path, null),
            Integer(json, "intermediate_size", path, null),
            Integer(json, "max_position_embeddings", path, 512),
            Integer(json, "type_vocab_size", path, 2),
            Number(json, "layer_norm_eps", path, 1e-12),
            Number(json, "hidden_dropout_prob", path, 0.1),
            Number(json, "attention_probs_dropout_prob", path, 0.1));
        config.Validate(path);
        return config;
    }

    public void Validate(string source)
    {
        CheckpointErrors.Require(source, VocabularySize > 0 && HiddenSize > 0 && NumberOfLayers > 0 && NumberOfHeads > 0 && IntermediateSize > 0 && MaxPositions >= 3
            && TypeVocabularySize > 0, "vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size and type_vocab_size must be positive, max_position_embeddings at least 3.");
        CheckpointErrors.Require(source, HiddenSize % NumberOfHeads == 0, $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumberOfHeads}.");
        CheckpointErrors.Require(source, LayerNormEpsilon > 0, $"layer_norm_eps must be positive, not {LayerNormEpsilon}.");
        CheckpointErrors.Require(source, HiddenDropout is >= 0 and < 1 && AttentionDropout is >= 0 and < 1, "dropout probabilities must be in [0, 1).");
    }

    // The first and the last layer stand for all.
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
    {
        yield return ("embeddings.word_embeddings.weight", new long[] { VocabularySize, HiddenSize });
        yield return ("embeddings.position_embeddings.weight", new long[] { MaxPositions, HiddenSize });
        yield return ("embeddings.token_type_embeddings.weight", new long[] { TypeVocabularySize, HiddenSize });
        foreach (var layer in new[] { 0, NumberOfLayers - 1 }.Distinct())
        {
            yield return ($"encoder.layer.{layer}.attention.self.query.weight", new long[] { HiddenSize, HiddenSize });
            yield return ($"encoder.layer.{layer}.intermediate.dense.weight", new long[] { IntermediateSize, HiddenSize });
        }
    }

    public string Summary() => $"BERT encoder: width {HiddenSize}, {NumberOfLayers} layers, {NumberOfHeads} heads, feed-forward {IntermediateSize}, dropout {HiddenDropout:G3}";

    public string Describe() => $"vocab_size {VocabularySize}, hidden_size {HiddenSize}, num_hidden_layers {NumberOfLayers}, "
        + $"intermediate_size {IntermediateSize}, max_position_embeddings {MaxPositions}, type_vocab_size {TypeVocabularySize}";

    public string ToJson() => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>config.json's fields, for a family built on BERT's shape to add its own.</summary>
    public JsonObject ToJsonObject() => new JsonObject
    {
        ["model_type"] = "bert",
        ["hidden_act"] = Gelu,
        ["vocab_size"] = VocabularySize,
        ["hidden_size"] = HiddenSize,
        ["num_hidden_layers"] = NumberOfLayers,
        ["num_attention_heads"] = NumberOfHeads,
        ["intermediate_size"] = IntermediateSize,
        ["max_position_embeddings"] = MaxPositions,
        ["type_vocab_size"] = TypeVocabularySize,
        ["layer_norm_eps"] = LayerNormEpsilon,
        ["hidden_dropout_prob"] = HiddenDropout,
        ["attention_probs_dropout_prob"] = AttentionDropout,
    };

    private static int Integer(JsonObject json, string key, string path, int? fallback)
        => JsonFields.Optional<int>(json, key, path) ?? fallback ?? throw CheckpointErrors.Invalid(path, $"'{key}' is missing.");

    private static double Number(JsonObject json, string key, string path, double fallback) => JsonFields.Value(json, key, path, fallback);
}
