using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The weights of an encoder exported to ONNX by PyTorch, under their Hugging Face names (any family: the names are
/// the model's own), and the number of layers they name, for a family that reads its shape from the graph.
/// </summary>
/// <remarks>
/// The exporter keeps the names of embeddings, biases and LayerNorms, but folds each Linear weight into a transposed
/// constant with a bare number for a name (for example "927"), consumed as [in, out] by a MatMul. The Add after that
/// MatMul takes the named bias ("…query.bias"), which gives the weight's name ("…query.weight"); the matrix is
/// transposed back to torch's [out, in].
/// </remarks>
internal static class OnnxWeights
{
    public static IReadOnlyList<WeightTensor> Named(OnnxGraph graph, string path)
    {
        var initializers = graph.Initializers.ToDictionary(t => t.Name);
        var consumers = new Dictionary<string, List<OnnxNode>>();
        foreach (var node in graph.Nodes)
        {
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
                    + "so its Hugging Face name cannot be found (expected a Hugging Face model exported by PyTorch).");
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
    /// The layers named in the weights under <paramref name="layerPrefix"/> ("encoder.layer."), which must count from 0
    /// without a gap: one tensor renamed to a large index must not make the encoder that many layers deep.
    /// </summary>
    public static int LayerCount(IEnumerable<string> names, string layerPrefix, string path)
    {
        var layerIndex = new Regex("^" + Regex.Escape(layerPrefix) + @"(\d+)\.", RegexOptions.CultureInvariant);
        var indices = new SortedSet<int>();
        foreach (var name in names)
        {
            var match = layerIndex.Match(name);
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
