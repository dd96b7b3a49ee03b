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

    // Its weights carry BERT's names, so an export without config.json reads as BERT's; pad_token_id and the
    // position rule are not in the weights.
    public override bool RecognizesWeights(IEnumerable<string> names) => false;

    public override IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
        => throw CheckpointErrors.Invalid(path, "an XLM-RoBERTa export needs its config.json beside the file (pad_token_id and the position rule are not in the weights).");
}
