using System;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// The lightweight variant's single attention layer: query = value = the embeddings, key = tanh(W x + b),
/// scaled dot-product scores, masked softmax. No feed-forward block, so it trains fast on short texts.
/// </summary>
internal sealed class LightweightAttention : nn.Module
{
    private readonly Linear key_projection;
    private readonly Scalar _scale;

    public LightweightAttention(int width) : base(nameof(LightweightAttention))
    {
        key_projection = nn.Linear(width, width);
        _scale = (1.0 / Math.Sqrt(width)).ToScalar();
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, width]; mask [B, T]; window [T, T] or null. Returns the attended x and, when asked for, the weights
    /// [B, 1, T, T] (null otherwise: attention then runs in the fused kernel, whose scale 1/sqrt(width) is this one).
    /// </summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, Tensor? window, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var keys = key_projection.call(x).tanh();
        var allowed = Masking.Combine(mask.unsqueeze(1), window?.unsqueeze(0));
        if (!needWeights)
        {
            var fused = FusedAttention.ScaledDotSoftmax(x.unsqueeze(1), keys.unsqueeze(1), x.unsqueeze(1), allowed?.unsqueeze(1));
            return (fused.squeeze(1).MoveToOuterDisposeScope(), null);
        }
        var scores = x.matmul(keys.transpose(1, 2)) * _scale;
        var weights = Masking.Softmax(scores, allowed);
        var output = weights.matmul(x);
        return (output.MoveToOuterDisposeScope(), weights.unsqueeze(1).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <see cref="Forward"/> in an exported graph: x [B, T, width] and <paramref name="allowed"/> bool [B, T or 1, T]
    /// give the attended x and the weights [B, 1, T, T].
    /// </summary>
    public (string Output, string Weights) Export(ExportGraph g, string x, string allowed)
    {
        var keys = g.Unary("Tanh", g.Linear(x, key_projection.weight!, key_projection.bias));
        var weights = Masking.ExportSoftmax(g, g.Mul(g.MatMul(x, g.TransposeLast(keys)), g.Scalar((float)(1.0 / Math.Sqrt(key_projection.weight!.shape[1])))), allowed);
        return (g.MatMul(weights, x), g.Unsqueeze(weights, 1));
    }
}
