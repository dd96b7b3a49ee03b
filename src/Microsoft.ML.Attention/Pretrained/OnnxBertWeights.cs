using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The weights of a BERT encoder exported to ONNX by PyTorch, under their Hugging Face names, and the encoder's shape
/// read from the graph when no config.json accompanies the file.
/// </summary>
/// <remarks>
/// The exporter keeps the names of embeddings, biases and LayerNorms, but folds each Linear weight into a transposed
/// constant with a bare number for a name (for example "927"), consumed as [in, out] by a MatMul. The Add after that
/// MatMul takes the named bias ("…query.bias"), which gives the weight's name ("…query.weight"); the matrix is
/// transposed back to torch's [out, in].
/// </remarks>
internal static class OnnxBertWeights
{
    private static readonly Regex LayerIndex = new(@"^encoder\.layer\.(\d+)\.", RegexOptions.CultureInvariant);

    public static IReadOnlyList<WeightTensor> Named(OnnxGraph graph, string path)
    {
        var initializers = graph.Initializers.ToDictionary(t => t.Name);
        var producedBy = new Dictionary<string, OnnxNode>();
        var consumers = new Dictionary<string, List<OnnxNode>>();
        foreach (var node in graph.Nodes)
        {
            foreach (var output in node.Outputs)
                producedBy[output] = node;
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list))
                    consumers[input] = list = new List<OnnxNode>();
                list.Add(node);
            }
        }

        var named = graph.Initializers.Where(t => !IsBare(t.Name)).ToList();
        foreach (var matMul in graph.Nodes.Where(n => n.OperatorType == "MatMul" && n.Inputs.Count == 2 && n.Outputs.Count == 1))
        {
            if (!initializers.TryGetValue(matMul.Inputs[1], out var weight) || !IsBare(weight.Name) || weight.Shape.Length != 2)
                continue;
            var bias = consumers.GetValueOrDefault(matMul.Outputs[0])?
                .Where(n => n.OperatorType == "Add")
                .SelectMany(n => n.Inputs)
                .FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && initializers.ContainsKey(i));
            if (bias == null)
                throw CheckpointErrors.Invalid(path, $"the MatMul weight '{weight.Name}' {weight.ShapeText} is not followed by an Add with a named bias, "
                    + "so its Hugging Face name cannot be found (expected a BERT model exported by PyTorch).");
            named.Add(weight.Transposed(bias[..^".bias".Length] + ".weight"));
        }
        CheckUnique(named, path, "weights named from the graph");
        return named;
    }

    /// <summary>Refuses two tensors of one name: which of them a model would get depends on the order of the file.</summary>
    public static void CheckUnique(IEnumerable<WeightTensor> tensors, string path, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
            if (!seen.Add(tensor.Name))
                throw CheckpointErrors.Invalid(path, $"tensor '{tensor.Name}' appears twice among the {what}; names must be unique.");
    }

    /// <summary>
    /// The encoder's shape from the weights and the graph: sizes from the tensors, the number of heads from the
    /// attention scores' scale 1/sqrt(head size), the LayerNorm epsilon from its constant, GELU from an Erf node.
    /// </summary>
    public static BertConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
    {
        WeightTensor Require(string name, int rank)
        {
            if (!weights.TryGetValue(name, out var tensor))
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' was expected (a Hugging Face BertModel export) but is not in the file.");
            if (tensor.Shape.Length != rank || tensor.Shape.Any(d => d < 1 || d > int.MaxValue))
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' has shape {tensor.ShapeText}; {rank} positive dimensions were expected.");
            return tensor;
        }
        var words = Require("embeddings.word_embeddings.weight", 2);
        var positions = Require("embeddings.position_embeddings.weight", 2);
        var types = Require("embeddings.token_type_embeddings.weight", 2);
        var intermediate = Require("encoder.layer.0.intermediate.dense.bias", 1);
        int hidden = (int)words.Shape[^1];
        int layers = LayerCount(weights.Keys, path);

        var producedBy = new Dictionary<string, OnnxNode>();
        foreach (var node in graph.Nodes)
            foreach (var output in node.Outputs)
                producedBy[output] = node;
        float? ConstantInput(OnnxNode node, int index)
            => node.Inputs.Count > index && producedBy.TryGetValue(node.Inputs[index], out var c) ? c.ConstantValue : null;
        bool FromOperator(OnnxNode node, int index, string op, Func<OnnxNode, bool>? also = null)
            => node.Inputs.Count > index && producedBy.TryGetValue(node.Inputs[index], out var p) && p.OperatorType == op && (also?.Invoke(p) ?? true);
        var constants = graph.Initializers.Select(t => t.Name).ToHashSet();
        bool ScoresMatMul(OnnxNode m) => m.Inputs.All(i => !constants.Contains(i) && producedBy.ContainsKey(i));

        // Attention scores: MatMul of two computed tensors, divided by sqrt(head size) (or multiplied by its inverse).
        var scale = graph.Nodes.Where(n => (n.OperatorType is "Div" or "Mul") && FromOperator(n, 0, "MatMul", ScoresMatMul))
            .Select(n => (n.OperatorType, Value: ConstantInput(n, 1))).FirstOrDefault(s => s.Value is > 0);
        if (scale.Value is not float factor)
            throw CheckpointErrors.Invalid(path, "the attention scale 1/sqrt(head size) was not found in the graph, so the number of heads is unknown; put the model's config.json beside the file.");
        double headSize = scale.OperatorType == "Div" ? (double)factor * factor : 1.0 / ((double)factor * factor);
        int head = (int)Math.Round(headSize);
        if (head <= 0 || Math.Abs(headSize - head) > 1e-3 || hidden % head != 0)
            throw CheckpointErrors.Invalid(path, $"the attention scale gives a head size of {headSize:G6}, which does not divide the width {hidden}; put the model's config.json beside the file.");

        // LayerNorm, decomposed: variance = ReduceMean(...), then Add(variance, epsilon).
        var epsilon = graph.Nodes.Where(n => n.OperatorType == "Add" && FromOperator(n, 0, "ReduceMean")).Select(n => ConstantInput(n, 1)).FirstOrDefault(e => e is > 0)
            ?? throw CheckpointErrors.Invalid(path, "the LayerNorm epsilon was not found in the graph; put the model's config.json beside the file.");
        if (!graph.Nodes.Any(n => n.OperatorType == "Erf"))
            throw CheckpointErrors.Invalid(path, "the graph has no Erf node, so its activation is not GELU with erf (the only one supported); put the model's config.json beside the file if it is.");

        var config = new BertConfig((int)words.Shape[0], hidden, layers, hidden / head, (int)intermediate.Shape[0], (int)positions.Shape[0],
            (int)types.Shape[0], epsilon, 0.1, 0.1);
        config.Validate(path);
        return config;
    }

    // The layers named in the weights, which must count from 0 without a gap: one tensor renamed to a large index must
    // not make the encoder that many layers deep.
    private static int LayerCount(IEnumerable<string> names, string path)
    {
        var indices = new SortedSet<int>();
        foreach (var name in names)
        {
            var match = LayerIndex.Match(name);
            if (!match.Success)
                continue;
            if (!int.TryParse(match.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' names layer {match.Groups[1].Value}, beyond any encoder's.");
            indices.Add(index);
        }
        int gap = Enumerable.Range(0, indices.Count).FirstOrDefault(i => !indices.Contains(i), -1);
        if (gap >= 0)
            throw CheckpointErrors.Invalid(path, $"the tensors name layers {string.Join(", ", indices.Take(8))}{(indices.Count > 8 ? $", ... {indices.Max}" : "")} but none of layer {gap}: layers must be numbered from 0 without a gap.");
        return indices.Count;
    }

    // The exporter's constants are named by number, or "onnx::MatMul_927" by newer exporters.
    private static bool IsBare(string name) => !name.Contains('.') || name.StartsWith("onnx::", StringComparison.Ordinal);
}
