using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Pretrained;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// A double-precision DistilBERT written in C# from the architecture's definition, over the weights of
/// Data/tiny-distilbert (width 8, 2 heads, 2 layers): a second reference beside PyTorch's stored vectors.
/// </summary>
internal sealed class TinyDistilBert
{
    private const int Heads = 2;
    private const double Epsilon = 1e-12;
    private readonly Dictionary<string, double[]> _weights;

    public TinyDistilBert(string safetensors)
        => _weights = SafetensorsReader.Read(safetensors).ToDictionary(t => t.Name.StartsWith("distilbert.", StringComparison.Ordinal) ? t.Name["distilbert.".Length..] : t.Name,
            t => t.ReadValues().Select(v => (double)v).ToArray());

    /// <summary>The token states [T, width] of one window of word-piece ids, no padding.</summary>
    public double[][] Forward(int[] ids)
    {
        var (words, positions) = (W("embeddings.word_embeddings.weight"), W("embeddings.position_embeddings.weight"));
        int width = W("embeddings.LayerNorm.bias").Length;
        var x = ids.Select((id, t) => LayerNorm(Enumerable.Range(0, width).Select(d => words[id * width + d] + positions[t * width + d]).ToArray(), "embeddings.LayerNorm")).ToArray();
        for (int l = 0; x.Length > 0 && _weights.ContainsKey($"transformer.layer.{l}.attention.q_lin.weight"); l++)
        {
            var p = $"transformer.layer.{l}.";
            var q = x.Select(r => Linear(r, p + "attention.q_lin")).ToArray();
            var k = x.Select(r => Linear(r, p + "attention.k_lin")).ToArray();
            var v = x.Select(r => Linear(r, p + "attention.v_lin")).ToArray();
            var context = DoubleMath.Attention(q, k, v, Heads);
            var h = x.Select((r, t) => LayerNorm(DoubleMath.Add(Linear(context[t], p + "attention.out_lin"), r), p + "sa_layer_norm")).ToArray();
            x = h.Select(r => LayerNorm(DoubleMath.Add(Linear(Linear(r, p + "ffn.lin1").Select(DoubleMath.Gelu).ToArray(), p + "ffn.lin2"), r), p + "output_layer_norm")).ToArray();
        }
        return x;
    }

    /// <summary>The mean of a window's token states.</summary>
    public double[] MeanPooled(int[] ids)
    {
        var states = Forward(ids);
        return Enumerable.Range(0, states[0].Length).Select(d => states.Average(s => s[d])).ToArray();
    }

    private double[] W(string name) => _weights.TryGetValue(name, out var values) ? values : throw new InvalidDataException($"no tensor '{name}'");

    private double[] Linear(double[] input, string name) => DoubleMath.Linear(input, W(name + ".weight"), W(name + ".bias"));

    private double[] LayerNorm(double[] x, string name) => DoubleMath.LayerNorm(x, W(name + ".weight"), W(name + ".bias"), Epsilon);
}
