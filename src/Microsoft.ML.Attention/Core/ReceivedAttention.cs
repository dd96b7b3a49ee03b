using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// The attention each token received, from self-attention weights: what token-attention output columns report.
internal static class ReceivedAttention
{
    /// <summary>
    /// layerWeights: each layer's [N, heads, T, T]; mask bool [N, T] true at real tokens. Returns [N, T] row-major:
    /// per token the weight it received, averaged over heads and the real queries, then over the given layers.
    /// </summary>
    public static float[] PerToken(IReadOnlyList<Tensor> layerWeights, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var queries = mask.to_type(ScalarType.Float32).unsqueeze(1).unsqueeze(-1);          // [N, 1, T, 1]
        var perLayer = layerWeights.Select(w =>
        {
            using var heads = w.shape[1].ToScalar();
            return (w * queries).sum(new long[] { 1, 2 }) / (queries.sum(new long[] { 1, 2 }) * heads).clamp_min(Scalars.One);
        });
        return torch.stack(perLayer.ToArray()).mean(new long[] { 0 }).contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// <see cref="PerToken"/> in an exported graph: each layer's weights [N, heads, T, T] with <paramref name="heads"/>
    /// heads and the mask bool [N, T] give [N, T].
    /// </summary>
    public static string Export(ExportGraph g, IReadOnlyList<string> layerWeights, string mask, long heads)
    {
        var share = g.ToFloat(mask);
        var queries = g.Unsqueeze(share, 1, 3);                                                            // [N, 1, T, 1]
        var count = g.Max(g.Mul(g.ReduceSum(share, -1, keepDims: true), g.Scalar(heads)), g.Scalar(1f));  // [N, 1]
        return g.Mean(layerWeights.Select(w => g.Div(g.ReduceSum(g.ReduceSum(g.Mul(w, queries), 2, keepDims: false), 1, keepDims: false), count)).ToArray());
    }
}
