using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>The first half of BERT's feed-forward block, GELU(dense(x)) with erf as Hugging Face's "gelu".</summary>
internal sealed class BertIntermediate : nn.Module
{
    private readonly Linear dense;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden] → [B, T, intermediate]; at inference GELU is applied inside the product (<see cref="InferenceLinear"/>).</summary>
    public Tensor Forward(Tensor x) => InferenceLinear.ForwardGelu(x, dense);

    /// <summary><see cref="Forward"/> in an exported graph: GELU(dense(x)).</summary>
    public string Export(ExportGraph g, string x) => g.Gelu(g.Linear(x, dense));
}
