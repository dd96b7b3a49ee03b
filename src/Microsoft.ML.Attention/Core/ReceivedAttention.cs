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

    /// <summary><see cref="PerToken"/> in an exported graph: each layer's weights [N, heads, T, T], mask bool [N, T] → [N, T].</summary>
    public static string Export(ExportGraph g, IReadOnlyList<string> layerWeights, string mask)
    {
        // The mean over heads, then the sum over real queries divided by their count: the same average.
        var queries = g.Unsqueeze(g.ToFloat(mask), -1);                                                   // [N, T, 1]
        var count = g.Max(g.ReduceSum(queries, 1, keepDims: false), g.Scalar(1f));                       // [N, 1]
        return g.Mean(layerWeights.Select(w =>
            g.Div(g.ReduceSum(g.Mul(g.Op("ReduceMean", new[] { w }, ("axes", new[] { 1L }), ("keepdims", 0L)), queries), 1, keepDims: false), count)).ToArray());
    }
}
