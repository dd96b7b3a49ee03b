using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A family's stack of layers, run in order: Hugging Face's BertEncoder and DistilBERT's Transformer, whose only
/// weights are their layers' under "layer.N" (the family's model names the stack: "encoder", "transformer").
/// </summary>
internal sealed class LayerStack<TLayer> : nn.Module where TLayer : nn.Module, IEncoderLayer
{
    private readonly ModuleList<TLayer> layer;

    public LayerStack(IEnumerable<TLayer> layers) : base(nameof(LayerStack<TLayer>))
    {
        layer = new ModuleList<TLayer>(layers.ToArray());
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, hidden], mask bool [B, 1, 1, T]. Returns the last layer's states and, when asked for, every layer's
    /// weights [B, heads, T, T] (an empty list otherwise).
    /// </summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var weights = new List<Tensor>();
        foreach (var l in layer)
        {
            var (output, layerWeights) = l.Forward(x, mask, needWeights);
            x = output;
            if (layerWeights is not null)
                weights.Add(layerWeights);
        }
        return (scope.MoveToOuter(x), weights.Select(w => scope.MoveToOuter(w)).ToArray());
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: the layers' nodes in order; returns the last layer's states and every layer's weights.</summary>
    public (string States, IReadOnlyList<string> Weights) Export(ExportGraph g, string x, string keyMask)
    {
        var weights = new List<string>();
        foreach (var l in layer)
        {
            var (output, layerWeights) = l.Export(g, x, keyMask);
            x = output;
            weights.Add(layerWeights);
        }
        return (x, weights);
    }
}
