using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// One pre-norm Transformer encoder layer: x + SelfAttention(LayerNorm(x)), then x + FeedForward(LayerNorm(x)).
/// Pre-norm trains stably without a learning-rate warm-up, which matters for short CPU training runs.
/// </summary>
internal sealed class EncoderLayer : nn.Module
{
    private readonly LayerNorm attention_norm;
    private readonly MultiHeadAttention attention;
    private readonly LayerNorm feed_forward_norm;
    private readonly Linear feed_forward_in;
    private readonly Linear feed_forward_out;
    private readonly FitDropout dropout;

    public EncoderLayer(int width, int heads, int feedForwardSize, double dropout) : base(nameof(EncoderLayer))
    {
        attention_norm = nn.LayerNorm(width);
        attention = new MultiHeadAttention(width, heads, dropout);
        feed_forward_norm = nn.LayerNorm(width);
        feed_forward_in = nn.Linear(width, feedForwardSize);
        feed_forward_out = nn.Linear(feedForwardSize, width);
        this.dropout = new FitDropout(dropout);
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, width]; mask [B, T] true at real tokens; window [T, T] or null. Returns x and, when asked for, the
    /// weights [B, H, T, T] (null otherwise: attention then runs in the fused kernel).
    /// </summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, Tensor? window, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var normed = attention_norm.call(x);
        Tensor attended;
        Tensor? weights = null;
        if (needWeights)
            (attended, weights) = attention.Forward(normed, normed, normed, mask, window);
        else
            attended = attention.Attend(normed, normed, normed, mask, window);
        x = x.add(dropout.call(attended), Scalars.One);
        var hidden = nn.functional.gelu(feed_forward_in.call(feed_forward_norm.call(x)));
        x = x.add(dropout.call(feed_forward_out.call(hidden)), Scalars.One);
        return (x.MoveToOuterDisposeScope(), weights?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <see cref="Forward"/> in an exported graph: x [B, T, width] and <paramref name="allowed"/> bool [B, 1, T or 1, T]
    /// (the key mask and the window combined) give x and the weights [B, H, T, T].
    /// </summary>
    public (string Output, string Weights) Export(ExportGraph g, string x, string allowed)
    {
        var normed = LayerNorm(g, attention_norm, x);
        var (attended, weights) = attention.Export(g, normed, normed, normed, allowed);
        x = g.Add(x, attended);
        var hidden = g.Gelu(g.Linear(LayerNorm(g, feed_forward_norm, x), feed_forward_in.weight!, feed_forward_in.bias));
        return (g.Add(x, g.Linear(hidden, feed_forward_out.weight!, feed_forward_out.bias)), weights);
    }

    /// <summary>A LayerNorm module of this encoder in an exported graph (built with nn.LayerNorm's default epsilon).</summary>
    internal static string LayerNorm(ExportGraph g, LayerNorm norm, string x) => g.LayerNorm(x, norm.weight!, norm.bias!, LayerNormEpsilon);

    // nn.LayerNorm's default, which the encoder's norms are built with.
    private const double LayerNormEpsilon = 1e-5;
}
