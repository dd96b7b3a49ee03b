using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>BERT's attention block: self-attention, then its output projection with the residual and LayerNorm.</summary>
internal sealed class BertAttention : nn.Module
{
    private readonly BertSelfAttention self;
    private readonly BertOutput output;

    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden], mask bool [B, 1, 1, T]. Returns [B, T, hidden] and the weights when asked for.</summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var (context, weights) = self.Forward(x, mask, needWeights);
        return (scope.MoveToOuter(output.Forward(context, x)), weights is null ? null : scope.MoveToOuter(weights));
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: x [B, T, hidden], keyMask bool [B, 1, 1, T] → [B, T, hidden] and the weights.</summary>
    public (string Output, string Weights) Export(ExportGraph g, string x, string keyMask)
    {
        var (context, weights) = self.Export(g, x, keyMask);
        return (output.Export(g, context, x), weights);
    }
}
