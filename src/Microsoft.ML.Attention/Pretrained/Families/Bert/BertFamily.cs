using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>BERT and the encoders built like it (MiniLM, arctic-embed, ...): model_type "bert".</summary>
internal sealed class BertFamily : ModelFamily
{
    /// <summary>The one instance, listed in <see cref="ModelFamilies"/>.</summary>
    public static readonly BertFamily Instance = new();

    private BertFamily()
    {
    }

    public override string ModelType => "bert";

    public override string Description => "BERT-family encoders such as MiniLM";

    public override string TaskModelPrefix => "bert";

    public override IReadOnlyList<string> UnusedPrefixes { get; } = new[] { "pooler.", "cls.", "classifier.", "qa_outputs." };

    public override string ExampleKey => "encoder.layer.0.attention.self.query.weight";

    public override IEncoderConfig ReadConfig(JsonObject json, string path) => BertConfig.Read(json, path);

    public override EncoderModule CreateEncoder(IEncoderConfig config) => new BertModel((BertConfig)config);

    public override bool RecognizesExport(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights)
        => weights.Keys.Any(n => n.StartsWith("encoder.layer.", System.StringComparison.Ordinal));

    public override IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
        => BertOnnxConfig.Infer(graph, weights, path);
}
