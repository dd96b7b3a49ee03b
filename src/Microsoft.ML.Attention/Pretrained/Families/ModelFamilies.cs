using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The model families the pretrained encoder reads, chosen by config.json's model_type. Adding a family is a folder
/// under <c>Families/</c> and one line in <see cref="All"/>.
/// </summary>
internal static class ModelFamilies
{
    /// <summary>
    /// Every family, one line each. An ONNX export without config.json is claimed by the last family that recognizes
    /// it, so a family whose weights carry an earlier one's names (XLM-RoBERTa, BERT's) comes after it; the first
    /// family reads an export none recognizes.
    /// </summary>
    public static readonly IReadOnlyList<ModelFamily> All = new ModelFamily[]
    {
        BertFamily.Instance,
        DistilBertFamily.Instance,
        XlmRobertaFamily.Instance,
    };

    /// <summary>The supported model_type values, for messages ("bert or distilbert").</summary>
    public static string ModelTypes => string.Join(" or ", All.Select(f => f.ModelType));

    /// <summary>Reads a config.json file.</summary>
    public static IEncoderConfig Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Reads config.json's text; <paramref name="path"/> names its source in errors (a file, or a stream of a saved model).</summary>
    public static IEncoderConfig Parse(string text, string path)
    {
        if (JsonFields.Parse(text, path) is not JsonObject json)
            throw CheckpointErrors.Invalid(path, "a JSON object with the model's configuration was expected.");
        return Of(json, path).ReadConfig(json, path);
    }

    /// <summary>The family config.json's model_type names.</summary>
    public static ModelFamily Of(JsonObject json, string path)
    {
        var type = JsonFields.Value<string?>(json, "model_type", path, null);
        return All.FirstOrDefault(f => f.ModelType == type)
            ?? throw CheckpointErrors.Invalid(path, $"model_type is {(type == null ? "missing" : $"'{type}'")}; the supported model types are "
                + string.Join(", ", All.Select(f => $"'{f.ModelType}' ({f.Description})")) + ".");
    }

    /// <summary>The configuration of an ONNX export without config.json, by the family that recognizes it (see <see cref="All"/>).</summary>
    public static IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
        => (All.LastOrDefault(f => f.RecognizesExport(graph, weights)) ?? All[0]).InferConfig(graph, weights, path);
}
