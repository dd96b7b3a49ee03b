using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// XLM-RoBERTa (model_type "xlm-roberta": multilingual-e5, paraphrase-multilingual-mpnet, ...): BERT's layers and key
/// names under "roberta", RoBERTa's positions, one token type; usually read with its SentencePiece tokenizer.
/// </summary>
internal sealed class XlmRobertaFamily : ModelFamily
{
    /// <summary>The one instance, listed in <see cref="ModelFamilies"/>.</summary>
    public static readonly XlmRobertaFamily Instance = new();

    private XlmRobertaFamily()
    {
    }

    public override string ModelType => "xlm-roberta";

    public override string Description => "XLM-RoBERTa encoders such as multilingual-e5";

    public override string TaskModelPrefix => "roberta";

    // The pooler, the masked-language-model head (lm_head, outside the "roberta." prefix) and the task heads.
    public override IReadOnlyList<string> UnusedPrefixes { get; } = new[] { "pooler.", "lm_head.", "classifier.", "qa_outputs." };

    public override string ExampleKey => "encoder.layer.0.attention.self.query.weight";

    public override IEncoderConfig ReadConfig(JsonObject json, string path) => XlmRobertaConfig.Read(json, path);

    public override EncoderModule CreateEncoder(IEncoderConfig config) => new XlmRobertaModel((XlmRobertaConfig)config);

    // Its weights carry BERT's names; the graph's position ids tell it apart (listed after BERT, it is asked first).
    public override bool RecognizesExport(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights)
        => XlmRobertaOnnxPositions.CountedFromIds(graph);

    // pad_token_id, where the positions start, is an integer constant of the graph that the weight reader does not
    // keep; config.json says it plainly.
    public override IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
        => throw CheckpointErrors.Invalid(path, "this export computes RoBERTa's position ids (counted from input_ids after the padding id): an XLM-RoBERTa model, "
            + "whose pad_token_id is not in the weights and which would read as BERT with wrong positions; put the model's config.json "
            + "(model_type \"xlm-roberta\") beside the file.");
}
