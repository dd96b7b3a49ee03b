using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>One post-norm BERT layer: the attention block, then the feed-forward block, each with residual and LayerNorm.</summary>
internal sealed class BertLayer : nn.Module, IEncoderLayer
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden], mask bool [B, 1, 1, T]. Returns [B, T, hidden] and the weights [B, heads, T, T] when asked for.</summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var (attended, weights) = attention.Forward(x, mask, needWeights);
        var result = output.Forward(intermediate.Forward(attended), attended);
        return (scope.MoveToOuter(result), weights is null ? null : scope.MoveToOuter(weights));
    }

    /// <inheritdoc/>
    public (string Output, string Weights) Export(ExportGraph g, string x, string keyMask)
    {
        var (attended, weights) = attention.Export(g, x, keyMask);
        return (output.Export(g, intermediate.Export(g, attended), attended), weights);
    }
}
