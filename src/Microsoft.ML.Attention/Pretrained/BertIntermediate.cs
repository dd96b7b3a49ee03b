using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The first half of BERT's feed-forward block, GELU(dense(x)) with erf as Hugging Face's "gelu"; <see cref="BertLayer"/>
/// applies it with the second half (<see cref="BertOutput"/>'s dense) through <see cref="InferenceLinear.FeedForward"/>.
/// </summary>
internal sealed class BertIntermediate : nn.Module
{
    private readonly Linear dense;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    public Linear Dense => dense;
}
