using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>After self-attention: LayerNorm(dropout(dense(context)) + input), BERT's post-norm residual.</summary>
internal sealed class BertSelfOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public BertSelfOutput(BertConfig config) : base(nameof(BertSelfOutput))
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    public Tensor Forward(Tensor context, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(LayerNorm.call(dropout.call(dense.call(context)).add(input, Scalars.One)));
    }
}
