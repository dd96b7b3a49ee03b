using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>The shape of a BERT encoder exported to ONNX without its config.json, read from the graph and weights.</summary>
internal static class BertOnnxConfig
{
    /// <summary>
    /// The encoder's shape from the weights and the graph: sizes from the tensors, the number of heads from the
    /// attention scores' scale 1/sqrt(head size), the LayerNorm epsilon from its constant, GELU from an Erf node.
    /// </summary>
    public static BertConfig Infer(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path)
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
        int layers = OnnxWeights.LayerCount(weights.Keys, "encoder.layer.", path);

        var producedBy = graph.ProducedBy;
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
}
