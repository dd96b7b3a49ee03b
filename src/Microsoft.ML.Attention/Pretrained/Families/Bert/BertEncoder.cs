using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>BERT's stack of layers ("layer.0", "layer.1", ... as in Hugging Face's checkpoints).</summary>
internal sealed class BertEncoder : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumberOfLayers).Select(_ => new BertLayer(config)).ToArray());
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
}
