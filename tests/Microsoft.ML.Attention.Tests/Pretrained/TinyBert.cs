using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// A tiny BERT the tests write themselves (width 4, 2 heads, 2 layers, feed-forward 8, 16 word pieces, 12 positions:
/// about 500 random weights) as a Hugging Face folder, and a double-precision forward pass written from BERT's
/// definition to check the encoder against.
/// </summary>
internal sealed class TinyBert
{
    public const int Hidden = 4, Heads = 2, Layers = 2, Intermediate = 8, Positions = 12, Types = 2;
    public const double Epsilon = 1e-6;

    public static readonly string[] Vocabulary =
        { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "dog", "ran", "##s", ".", ",", "a" };

    public Dictionary<string, (long[] Shape, double[] Values)> Weights { get; } = new();

    public TinyBert(int seed = 3)
    {
        var random = new Random(seed);
        void Add(string name, double center, params long[] shape)
            => Weights[name] = (shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => center + random.NextDouble() - 0.5).ToArray());
        Add("embeddings.word_embeddings.weight", 0, Vocabulary.Length, Hidden);
        Add("embeddings.position_embeddings.weight", 0, Positions, Hidden);
        Add("embeddings.token_type_embeddings.weight", 0, Types, Hidden);
        Add("embeddings.LayerNorm.weight", 1, Hidden);
        Add("embeddings.LayerNorm.bias", 0, Hidden);
        for (int l = 0; l < Layers; l++)
        {
            var p = $"encoder.layer.{l}.";
            foreach (var name in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                Add(p + name + ".weight", 0, Hidden, Hidden);
                Add(p + name + ".bias", 0, Hidden);
            }
            Add(p + "attention.output.LayerNorm.weight", 1, Hidden);
            Add(p + "attention.output.LayerNorm.bias", 0, Hidden);
            Add(p + "intermediate.dense.weight", 0, Intermediate, Hidden);
            Add(p + "intermediate.dense.bias", 0, Intermediate);
            Add(p + "output.dense.weight", 0, Hidden, Intermediate);
            Add(p + "output.dense.bias", 0, Hidden);
            Add(p + "output.LayerNorm.weight", 1, Hidden);
            Add(p + "output.LayerNorm.bias", 0, Hidden);
        }
        Add("pooler.dense.weight", 0, Hidden, Hidden);
        Add("pooler.dense.bias", 0, Hidden);
    }

    public static string ConfigJson(int layers = Layers, string modelType = "bert", string activation = "gelu") => $$"""
        {"model_type": "{{modelType}}", "hidden_act": "{{activation}}", "hidden_size": {{Hidden}}, "num_hidden_layers": {{layers}},
         "num_attention_heads": {{Heads}}, "intermediate_size": {{Intermediate}}, "max_position_embeddings": {{Positions}},
         "type_vocab_size": {{Types}}, "vocab_size": {{Vocabulary.Length}}, "layer_norm_eps": {{Epsilon}}}
        """;

    /// <summary>Writes config.json, vocab.txt, tokenizer_config.json and model.safetensors (only layers below <paramref name="layers"/>).</summary>
    public string WriteFolder(string folder, int layers = Layers, bool half = false)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), ConfigJson(layers));
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"do_lower_case": true}""");
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"),
            Weights.Where(w => !w.Key.StartsWith("encoder.layer.", StringComparison.Ordinal) || int.Parse(w.Key.Split('.')[2]) < layers)
                .Select(w => (w.Key, w.Value.Shape, w.Value.Values.Select(v => (float)v).ToArray())), half);
        return folder;
    }

    /// <summary>Rounds every weight to what F16 stores, so the reference matches a half-precision file.</summary>
    public void RoundToHalf()
    {
        foreach (var key in Weights.Keys.ToList())
            Weights[key] = (Weights[key].Shape, Weights[key].Values.Select(v => (double)(float)(Half)v).ToArray());
    }

    /// <summary>The token states [T, hidden] after <paramref name="layers"/> layers, in double precision.</summary>
    public double[][] Forward(int[] ids, int layers)
    {
        var (words, positions, types) = (W("embeddings.word_embeddings.weight"), W("embeddings.position_embeddings.weight"), W("embeddings.token_type_embeddings.weight"));
        var x = ids.Select((id, t) => Enumerable.Range(0, Hidden).Select(d => words[id * Hidden + d] + positions[t * Hidden + d] + types[d]).ToArray()).ToArray();
        x = x.Select(row => LayerNorm(row, "embeddings.LayerNorm")).ToArray();
        for (int l = 0; l < layers; l++)
        {
            var p = $"encoder.layer.{l}.";
            var q = x.Select(r => Linear(r, p + "attention.self.query")).ToArray();
            var k = x.Select(r => Linear(r, p + "attention.self.key")).ToArray();
            var v = x.Select(r => Linear(r, p + "attention.self.value")).ToArray();
            var context = DoubleMath.Attention(q, k, v, Heads);
            var attended = x.Select((r, t) => LayerNorm(Add(Linear(context[t], p + "attention.output.dense"), r), p + "attention.output.LayerNorm")).ToArray();
            x = attended.Select(r => LayerNorm(Add(Linear(Linear(r, p + "intermediate.dense").Select(DoubleMath.Gelu).ToArray(), p + "output.dense"), r), p + "output.LayerNorm")).ToArray();
        }
        return x;
    }

    private double[] W(string name) => Weights[name].Values;

    private double[] Linear(double[] input, string name) => DoubleMath.Linear(input, W(name + ".weight"), W(name + ".bias"));

    private double[] LayerNorm(double[] x, string name) => DoubleMath.LayerNorm(x, W(name + ".weight"), W(name + ".bias"), Epsilon);

    private static double[] Add(double[] a, double[] b) => DoubleMath.Add(a, b);
}
