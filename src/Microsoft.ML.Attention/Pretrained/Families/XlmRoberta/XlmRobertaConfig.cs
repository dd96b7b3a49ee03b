using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The shape of an XLM-RoBERTa encoder, as Hugging Face's config.json gives it (model_type "xlm-roberta"): BERT's
/// fields (<paramref name="Bert"/>, its max_position_embeddings the size of the position table) plus pad_token_id,
/// below which no position is used: positions start at pad_token_id + 1, so a window holds
/// max_position_embeddings - pad_token_id - 1 tokens (512 of XLM-R's 514).
/// </summary>
/// <param name="Bert">The fields XLM-RoBERTa shares with BERT, read as BERT reads them.</param>
/// <param name="PaddingId">config.json's pad_token_id (Hugging Face's padding_idx).</param>
internal sealed record XlmRobertaConfig(BertConfig Bert, int PaddingId) : IEncoderConfig
{
    public ModelFamily Family => XlmRobertaFamily.Instance;

    public int VocabularySize => Bert.VocabularySize;

    public int HiddenSize => Bert.HiddenSize;

    public int MaxPositions => Bert.MaxPositions - PaddingId - 1;

    /// <summary>Reads config.json (model_type "xlm-roberta", chosen by <see cref="ModelFamilies"/>); <paramref name="path"/> names its source in errors.</summary>
    public static XlmRobertaConfig Read(JsonObject json, string path)
    {
        var config = new XlmRobertaConfig(BertConfig.Read(json, path), JsonFields.Value(json, "pad_token_id", path, 1));
        config.Validate(path);
        return config;
    }

    public void Validate(string source)
    {
        Bert.Validate(source);
        CheckpointErrors.Require(source, PaddingId >= 0 && PaddingId < VocabularySize, $"pad_token_id {PaddingId} is not an id of the {VocabularySize} word embeddings.");
        CheckpointErrors.Require(source, MaxPositions >= 3,
            $"max_position_embeddings {Bert.MaxPositions} leaves {MaxPositions} positions after pad_token_id {PaddingId}; at least 3 are needed.");
    }

    public IEnumerable<(string Name, long[] Shape)> WeightShapes() => Bert.WeightShapes();

    public string Describe() => $"{Bert.Describe()}, pad_token_id {PaddingId}";

    public string Summary() => $"XLM-RoBERTa encoder: width {HiddenSize}, {Bert.NumberOfLayers} layers, {Bert.NumberOfHeads} heads, "
        + $"feed-forward {Bert.IntermediateSize}, dropout {Bert.HiddenDropout:G3}";

    public string ToJson()
    {
        var json = Bert.ToJsonObject();
        json["model_type"] = XlmRobertaFamily.Instance.ModelType;
        json["pad_token_id"] = PaddingId;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
