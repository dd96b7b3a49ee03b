using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The multi-head self-attention every family computes, whatever its projections are named: the query, key and value
/// projections (one product at inference, <see cref="InferenceLinear"/>), scaled dot products per head through the
/// attention core (<see cref="HeadAttention"/>), softmax over real tokens, heads merged. Families keep their own
/// modules (their key names) and call this.
/// </summary>
internal static class SelfAttentionHeads
{
    /// <summary>
    /// x [B, T, hidden], mask bool [B, 1, 1, T] (true = real token). Returns the merged heads [B, T, hidden] before
    /// the output projection and, when asked for, the weights [B, heads, T, T]. <paramref name="training"/> with a
    /// positive <paramref name="dropoutRate"/> drops attention weights.
    /// </summary>
    public static (Tensor Context, Tensor? Weights) Attend(Tensor x, Tensor mask, Linear query, Linear key, Linear value, long heads,
        bool training, double dropoutRate, FitDropout dropout, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var projected = InferenceLinear.Forward(x, query, key, value);
        var q = HeadAttention.SplitHeads(projected[0], heads);
        var k = HeadAttention.SplitHeads(projected[1], heads);
        var v = HeadAttention.SplitHeads(projected[2], heads);
        bool dropping = training && dropoutRate > 0.0;
        // Attention dropout while fine-tuning runs inside the fused kernel unless the weights are wanted: materializing
        // [B, heads, T, T] for it costs time and most of fine-tuning's activation memory.
        var (perHead, weights) = HeadAttention.Attend(q, k, v, mask, needWeights ? HeadAttention.ScaledDotSoftmaxWeights : null,
            dropping && needWeights ? dropout.call : null, fusedDropout: dropping ? dropoutRate : 0.0);
        return (scope.MoveToOuter(HeadAttention.MergeHeads(perHead)), needWeights ? scope.MoveToOuter(weights!) : null);
    }

    /// <summary>
    /// <see cref="Attend"/> at inference in an exported graph: x [B, T, hidden], keyMask bool [B, 1, 1, T] (true = real
    /// token) → the merged heads [B, T, hidden] before the output projection and the weights [B, heads, T, T]; scaled
    /// dot products per head and a softmax over real tokens (the attention core's masked softmax).
    /// </summary>
    public static (string Context, string Weights) Export(ExportGraph g, string x, string keyMask, Linear query, Linear key, Linear value, long heads)
    {
        long width = query.weight!.shape[0];
        string Split(Linear layer)   // [B, T, hidden] → [B, heads, T, d]
            => g.Op("Transpose", new[] { g.Op("Reshape", new[] { g.Linear(x, layer), g.Constant(new long[] { 0, 0, heads, width / heads }) }) },
                ("perm", new long[] { 0, 2, 1, 3 }));
        var q = Split(query);
        var kTransposed = g.Op("Transpose", new[] { Split(key) }, ("perm", new long[] { 0, 1, 3, 2 }));
        var scores = g.Div(g.MatMul(q, kTransposed), g.Scalar((float)System.Math.Sqrt(width / heads)));
        var weights = Masking.ExportSoftmax(g, scores, keyMask);
        var perHead = g.MatMul(weights, Split(value));                                                     // [B, heads, T, d]
        var merged = g.Op("Transpose", new[] { perHead }, ("perm", new long[] { 0, 2, 1, 3 }));
        return (g.Op("Reshape", new[] { merged, g.Constant(new long[] { 0, 0, width }) }), weights);
    }
}
