using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// One post-norm DistilBERT block (Hugging Face's TransformerBlock): sa_layer_norm(attention(x) + x), then
/// output_layer_norm(ffn(h) + h).
/// </summary>
internal sealed class DistilBertBlock : nn.Module, IEncoderLayer
{
    private readonly DistilBertSelfAttention attention;
    private readonly LayerNorm sa_layer_norm;
    private readonly DistilBertFeedForward ffn;
    private readonly LayerNorm output_layer_norm;

    public DistilBertBlock(DistilBertConfig config) : base(nameof(DistilBertBlock))
    {
        attention = new DistilBertSelfAttention(config);
        sa_layer_norm = nn.LayerNorm(config.HiddenSize, DistilBertConfig.LayerNormEpsilon);
        ffn = new DistilBertFeedForward(config);
        output_layer_norm = nn.LayerNorm(config.HiddenSize, DistilBertConfig.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden], mask bool [B, 1, 1, T]. Returns [B, T, hidden] and the weights [B, heads, T, T] when asked for.</summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var (attended, weights) = attention.Forward(x, mask, needWeights);
        var h = sa_layer_norm.call(attended);
        var result = output_layer_norm.call(ffn.Forward(h));
        return (scope.MoveToOuter(result), weights is null ? null : scope.MoveToOuter(weights));
    }

    /// <inheritdoc/>
    public (string Output, string Weights) Export(ExportGraph g, string x, string keyMask)
    {
        var (attended, weights) = attention.Export(g, x, keyMask);
        var h = g.LayerNorm(attended, sa_layer_norm, DistilBertConfig.LayerNormEpsilon);
        return (g.LayerNorm(ffn.Export(g, h), output_layer_norm, DistilBertConfig.LayerNormEpsilon), weights);
    }
}
