using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>DistilBERT's stack of blocks ("transformer.layer.0", ... as in Hugging Face's checkpoints).</summary>
internal sealed class DistilBertTransformer : nn.Module
{
    private readonly ModuleList<DistilBertBlock> layer;

    public DistilBertTransformer(DistilBertConfig config) : base(nameof(DistilBertTransformer))
    {
        layer = new ModuleList<DistilBertBlock>(Enumerable.Range(0, config.NumberOfLayers).Select(_ => new DistilBertBlock(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden], mask bool [B, 1, 1, T]. Returns the last block's states and, when asked for, every block's weights.</summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var weights = new List<Tensor>();
        foreach (var block in layer)
        {
            var (output, blockWeights) = block.Forward(x, mask, needWeights);
            x = output;
            if (blockWeights is not null)
                weights.Add(blockWeights);
        }
        return (scope.MoveToOuter(x), weights.Select(w => scope.MoveToOuter(w)).ToArray());
    }
}
