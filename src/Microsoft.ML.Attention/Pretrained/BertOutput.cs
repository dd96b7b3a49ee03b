using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>The second half of BERT's feed-forward block: LayerNorm(dropout(dense(hidden)) + input).</summary>
internal sealed class BertOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public BertOutput(BertConfig config) : base(nameof(BertOutput))
    {
        dense = nn.Linear(config.IntermediateSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    public Tensor Forward(Tensor hidden, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(LayerNorm.call(dropout.call(dense.call(hidden)).add(input, Scalars.One)));
    }
}
