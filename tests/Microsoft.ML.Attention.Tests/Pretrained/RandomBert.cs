using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.TextFeaturization;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// A small randomly initialized BERT (as a Hugging Face folder) whose vocabulary holds every word of the synthetic text
/// tasks as one word piece: a stand-in "pretrained" model that fine-tunes in seconds. Weights follow BERT's
/// initialization (normal, standard deviation 0.02; LayerNorm 1 and 0), from a fixed seed.
/// </summary>
internal static class RandomBert
{
    public const int Hidden = 32, Heads = 2, Layers = 2, Intermediate = 64, Positions = 32;

    public static readonly string[] Vocabulary = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }
        .Concat(OrderTask.Words).Concat(new[] { ".", ",", "the", "a", "##s" }).ToArray();

    /// <summary>Writes the model into <paramref name="folder"/>; <paramref name="dropout"/> is its hidden and attention dropout.</summary>
    public static string Write(string folder, int seed = 11, double dropout = 0.0)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"model_type": "bert", "hidden_act": "gelu", "hidden_size": {{Hidden}}, "num_hidden_layers": {{Layers}},
             "num_attention_heads": {{Heads}}, "intermediate_size": {{Intermediate}}, "max_position_embeddings": {{Positions}},
             "type_vocab_size": 2, "vocab_size": {{Vocabulary.Length}}, "layer_norm_eps": 1e-12,
             "hidden_dropout_prob": {{dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}},
             "attention_probs_dropout_prob": {{dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}
            """);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"do_lower_case": true}""");
        WriteWeights(Path.Combine(folder, "model.safetensors"), seed, Vocabulary.Length, Positions, 2, "");
        return folder;
    }

    /// <summary>
    /// BERT-shaped weights of these sizes (Hugging Face names under <paramref name="prefix"/>, "roberta." for an
    /// XLM-RoBERTa) with <paramref name="vocabulary"/> word pieces, <paramref name="positions"/> positions and
    /// <paramref name="types"/> token types.
    /// </summary>
    public static void WriteWeights(string path, int seed, int vocabulary, int positions, int types, string prefix)
    {
        var random = new Random(seed);
        var tensors = new List<(string, long[], float[])>();
        void Normal(string name, params long[] shape)
            => tensors.Add((prefix + name, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(0.02 * Gaussian(random))).ToArray()));
        void Constant(string name, float value, long size) => tensors.Add((prefix + name, new[] { size }, Enumerable.Repeat(value, (int)size).ToArray()));
        Normal("embeddings.word_embeddings.weight", vocabulary, Hidden);
        Normal("embeddings.position_embeddings.weight", positions, Hidden);
        Normal("embeddings.token_type_embeddings.weight", types, Hidden);
        Constant("embeddings.LayerNorm.weight", 1, Hidden);
        Constant("embeddings.LayerNorm.bias", 0, Hidden);
        for (int l = 0; l < Layers; l++)
        {
            var p = $"encoder.layer.{l}.";
            foreach (var name in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                Normal(p + name + ".weight", Hidden, Hidden);
                Constant(p + name + ".bias", 0, Hidden);
            }
            Constant(p + "attention.output.LayerNorm.weight", 1, Hidden);
            Constant(p + "attention.output.LayerNorm.bias", 0, Hidden);
            Normal(p + "intermediate.dense.weight", Intermediate, Hidden);
            Constant(p + "intermediate.dense.bias", 0, Intermediate);
            Normal(p + "output.dense.weight", Hidden, Intermediate);
            Constant(p + "output.dense.bias", 0, Hidden);
            Constant(p + "output.LayerNorm.weight", 1, Hidden);
            Constant(p + "output.LayerNorm.bias", 0, Hidden);
        }
        SafetensorsWriter.Write(path, tensors);
    }

    private static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
