using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>DistilBERT (model_type "distilbert"): BERT's WordPiece vocabulary, its own key names, no token types.</summary>
internal sealed class DistilBertFamily : ModelFamily
{
    /// <summary>The one instance, listed in <see cref="ModelFamilies"/>.</summary>
    public static readonly DistilBertFamily Instance = new();

    private DistilBertFamily()
    {
    }

    public override string ModelType => "distilbert";

    public override string Description => "DistilBERT encoders";

    public override string TaskModelPrefix => "distilbert";

    // The masked-language-model head (vocab_*) and the task heads of Hugging Face's DistilBERT models.
    public override IReadOnlyList<string> UnusedPrefixes { get; } =
        new[] { "vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "pre_classifier.", "classifier.", "qa_outputs." };

    public override string ExampleKey => "transformer.layer.0.attention.q_lin.weight";

    public override IEncoderConfig ReadConfig(JsonObject json, string path) => DistilBertConfig.Read(json, path);

    public override EncoderModule CreateEncoder(IEncoderConfig config) => new DistilBertModel((DistilBertConfig)config);

    public override bool RecognizesExport(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights)
        => weights.Keys.Any(n => n.StartsWith("transformer.layer.", StringComparison.Ordinal));

    // The weights give every size but the number of heads, which an export keeps only as a scale constant placed where
    // the exporter's version puts it; config.json says it plainly.
    public override IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
        => throw CheckpointErrors.Invalid(path, "this DistilBERT export has no config.json beside it, and its number of heads (n_heads) is not in the weights; "
            + "put the model's config.json beside the file.");
}
