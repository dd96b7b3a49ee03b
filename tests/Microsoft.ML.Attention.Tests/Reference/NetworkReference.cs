using System;
using System.Collections.Generic;
using System.Linq;
using static Microsoft.ML.Attention.Tests.Reference.Float64;

namespace Microsoft.ML.Attention.Tests.Reference;

/// <summary>
/// Float64 forward passes of the library's networks, written from their published definitions (Vaswani et al. for
/// multi-head attention and the encoder, Yang et al. with PyTorch's GRU equations for the HAN), reading the weights by
/// checkpoint name. One sequence at a time, one head at a time: nothing is shared with the libtorch code under test.
/// </summary>
internal static class NetworkReference
{
    private static double[] Get(Dictionary<string, double[]> p, string name)
        => p.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No parameter '{name}' among {string.Join(", ", p.Keys)}.");

    /// <summary>
    /// Multi-head attention for one sequence: output [Tq][D] and weights [head][Tq][Tk]. allowed(i, j) says whether
    /// query i may attend to key j. Scores are scaled dot products of each head's slice of the projections.
    /// </summary>
    public static (double[][] Output, double[][][] Weights) MultiHead(Dictionary<string, double[]> p, string prefix,
        double[][] query, double[][] keys, double[][] values, int heads, Func<int, int, bool> allowed)
    {
        int width = query[0].Length, headDim = width / heads;
        var q = Linear(query, Get(p, prefix + "query_projection.weight"), Get(p, prefix + "query_projection.bias"));
        var k = Linear(keys, Get(p, prefix + "key_projection.weight"), Get(p, prefix + "key_projection.bias"));
        var v = Linear(values, Get(p, prefix + "value_projection.weight"), Get(p, prefix + "value_projection.bias"));
        var concatenated = query.Select(_ => new double[width]).ToArray();
        var weights = new double[heads][][];
        for (int h = 0; h < heads; h++)
        {
            weights[h] = new double[query.Length][];
            var vh = v.Select(row => Slice(row, h * headDim, headDim)).ToArray();
            for (int i = 0; i < query.Length; i++)
            {
                var qh = Slice(q[i], h * headDim, headDim);
                var scores = k.Select(row => Dot(qh, Slice(row, h * headDim, headDim)) / Math.Sqrt(headDim)).ToArray();
                weights[h][i] = Softmax(scores, Enumerable.Range(0, keys.Length).Select(j => allowed(i, j)).ToArray());
                Combine(weights[h][i], vh).CopyTo(concatenated[i], h * headDim);
            }
        }
        var output = Linear(concatenated, Get(p, prefix + "output_projection.weight"), Get(p, prefix + "output_projection.bias"));
        return (output, weights);
    }

    /// <summary>One pre-norm encoder layer: x + MHA(LN1(x)), then x + W2 GELU(W1 LN2(x) + b1) + b2.</summary>
    public static (double[][] Output, double[][][] Weights) EncoderLayer(Dictionary<string, double[]> p, string prefix, double[][] x,
        int heads, Func<int, int, bool> allowed)
    {
        var normed = x.Select(row => LayerNorm(row, Get(p, prefix + "attention_norm.weight"), Get(p, prefix + "attention_norm.bias"))).ToArray();
        var (attended, weights) = MultiHead(p, prefix + "attention.", normed, normed, normed, heads, allowed);
        var afterAttention = x.Select((row, t) => Add(row, attended[t])).ToArray();
        var output = afterAttention.Select(row =>
        {
            var n = LayerNorm(row, Get(p, prefix + "feed_forward_norm.weight"), Get(p, prefix + "feed_forward_norm.bias"));
            var hidden = Linear(n, Get(p, prefix + "feed_forward_in.weight"), Get(p, prefix + "feed_forward_in.bias")).Select(Gelu).ToArray();
            return Add(row, Linear(hidden, Get(p, prefix + "feed_forward_out.weight"), Get(p, prefix + "feed_forward_out.bias")));
        }).ToArray();
        return (output, weights);
    }

    /// <summary>Sinusoidal position p: dimension 2i is sin(p / 10000^(2i/d)), dimension 2i+1 its cosine.</summary>
    public static double[] Sinusoid(int position, int width)
        => Enumerable.Range(0, width).Select(d =>
        {
            double angle = position / Math.Pow(10000.0, (d - d % 2) / (double)width);
            return d % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
        }).ToArray();

    /// <summary>
    /// The featurizer's encoder over one window of ids (position 0: the classification token), all tokens real:
    /// token embedding + position, the layers, the final norm. Returns the states and each layer's weights.
    /// </summary>
    public static (double[][] States, List<double[][][]> LayerWeights) Encoder(Dictionary<string, double[]> p, long[] ids, int width,
        int layers, int heads, bool learnedPositions, int localHalfWidth)
    {
        var embedding = Get(p, "token_embedding.weight");
        var x = ids.Select((id, t) => Add(Slice(embedding, (int)id * width, width),
            learnedPositions ? Slice(Get(p, "position_embedding.weight"), t * width, width) : Sinusoid(t, width))).ToArray();
        Func<int, int, bool> allowed = (i, j) => localHalfWidth == 0 || Math.Abs(i - j) <= localHalfWidth;
        var all = new List<double[][][]>();
        for (int l = 0; l < layers; l++)
        {
            (x, var weights) = EncoderLayer(p, $"layers.{l}.", x, heads, allowed);
            all.Add(weights);
        }
        var states = x.Select(row => LayerNorm(row, Get(p, "final_norm.weight"), Get(p, "final_norm.bias"))).ToArray();
        return (states, all);
    }

    /// <summary>
    /// The attention each token received: for each layer, the mean over heads and queries of the weight on that key;
    /// then the mean over layers.
    /// </summary>
    public static double[] ReceivedAttention(IEnumerable<double[][][]> layerWeights)
    {
        var perLayer = layerWeights.Select(heads =>
        {
            int tokens = heads[0].Length;
            return Enumerable.Range(0, tokens).Select(j => heads.Average(h => h.Average(row => row[j]))).ToArray();
        }).ToArray();
        return Enumerable.Range(0, perLayer[0].Length).Select(j => perLayer.Average(l => l[j])).ToArray();
    }

    /// <summary>PyTorch's GRU cell: r, z, n gates stacked in that order in weight_ih [3H, in] and weight_hh [3H, H].</summary>
    private static double[] GruStep(double[] x, double[] h, double[] wih, double[] whh, double[] bih, double[] bhh)
    {
        int hidden = h.Length;
        var gi = Linear(x, wih, bih);
        var gh = Linear(h, whh, bhh);
        var next = new double[hidden];
        for (int u = 0; u < hidden; u++)
        {
            double r = Sigmoid(gi[u] + gh[u]);
            double z = Sigmoid(gi[hidden + u] + gh[hidden + u]);
            double n = Math.Tanh(gi[2 * hidden + u] + r * gh[2 * hidden + u]);
            next[u] = (1 - z) * n + z * h[u];
        }
        return next;
    }

    /// <summary>A bidirectional GRU over a sequence: state t = [forward h_t, backward h_t].</summary>
    public static double[][] BidirectionalGru(Dictionary<string, double[]> p, string prefix, double[][] sequence, int hidden)
    {
        var forward = new double[sequence.Length][];
        var backward = new double[sequence.Length][];
        var h = new double[hidden];
        for (int t = 0; t < sequence.Length; t++)
            h = forward[t] = GruStep(sequence[t], h, Get(p, prefix + "weight_ih_l0"), Get(p, prefix + "weight_hh_l0"), Get(p, prefix + "bias_ih_l0"), Get(p, prefix + "bias_hh_l0"));
        h = new double[hidden];
        for (int t = sequence.Length - 1; t >= 0; t--)
            h = backward[t] = GruStep(sequence[t], h, Get(p, prefix + "weight_ih_l0_reverse"), Get(p, prefix + "weight_hh_l0_reverse"),
                Get(p, prefix + "bias_ih_l0_reverse"), Get(p, prefix + "bias_hh_l0_reverse"));
        return forward.Select((f, t) => f.Concat(backward[t]).ToArray()).ToArray();
    }

    /// <summary>Yang et al.'s attention with a context vector: u_t = tanh(W s_t + b), weights softmax(u_t · v).</summary>
    public static (double[] Vector, double[] Weights) ContextAttention(Dictionary<string, double[]> p, string prefix, double[][] states)
    {
        var scores = states.Select(s => Dot(Linear(s, Get(p, prefix + "score.key_projection.weight"), Get(p, prefix + "score.key_projection.bias"))
            .Select(Math.Tanh).ToArray(), Get(p, prefix + "score.context_vector"))).ToArray();
        var weights = Softmax(scores);
        return (Combine(weights, states), weights);
    }

    /// <summary>The HAN over one document (sentences of word ids): logits, word weights per sentence, sentence weights.</summary>
    public static (double[] Logits, double[][] WordWeights, double[] SentenceWeights) Han(Dictionary<string, double[]> p, int[][] sentences,
        int embeddingSize, int wordHidden, int sentenceHidden)
    {
        var embedding = Get(p, "embedding.weight");
        var wordWeights = new double[sentences.Length][];
        var sentenceVectors = new double[sentences.Length][];
        for (int s = 0; s < sentences.Length; s++)
        {
            var words = sentences[s].Select(id => Slice(embedding, id * embeddingSize, embeddingSize)).ToArray();
            var states = BidirectionalGru(p, "word_encoder.gru.", words, wordHidden);
            (sentenceVectors[s], wordWeights[s]) = ContextAttention(p, "word_attention.", states);
        }
        var sentenceStates = BidirectionalGru(p, "sentence_encoder.gru.", sentenceVectors, sentenceHidden);
        var (document, sentenceWeights) = ContextAttention(p, "sentence_attention.", sentenceStates);
        return (Linear(document, Get(p, "classifier.weight"), Get(p, "classifier.bias")), wordWeights, sentenceWeights);
    }
}
