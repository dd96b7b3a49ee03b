using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>The first half of BERT's feed-forward block: GELU(dense(x)), GELU with erf as Hugging Face's "gelu".</summary>
internal sealed class BertIntermediate : nn.Module
{
    private readonly Linear dense;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(nn.functional.gelu(dense.call(x)));
    }
}
