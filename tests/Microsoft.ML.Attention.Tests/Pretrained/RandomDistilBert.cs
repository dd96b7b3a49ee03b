using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// <see cref="RandomBert"/>'s stand-in "pretrained" model as a DistilBERT folder (model_type "distilbert", Hugging Face
/// DistilBertModel names, no token types), same sizes and vocabulary, weights by DistilBERT's initialization (normal,
/// standard deviation 0.02; LayerNorm 1 and 0) from a fixed seed.
/// </summary>
internal static class RandomDistilBert
{
    public static string Write(string folder, int seed = 11)
    {
        Directory.CreateDirectory(folder);
        const int hidden = RandomBert.Hidden, feedForward = RandomBert.Intermediate;
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"model_type": "distilbert", "activation": "gelu", "dim": {{hidden}}, "n_layers": {{RandomBert.Layers}}, "n_heads": {{RandomBert.Heads}},
             "hidden_dim": {{feedForward}}, "max_position_embeddings": {{RandomBert.Positions}}, "vocab_size": {{RandomBert.Vocabulary.Length}},
             "dropout": 0.0, "attention_dropout": 0.0}
            """);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), RandomBert.Vocabulary);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"do_lower_case": true}""");
        var random = new Random(seed);
        var tensors = new List<(string, long[], float[])>();
        void Normal(string name, params long[] shape)
            => tensors.Add((name, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b))
                .Select(_ => (float)(0.02 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray()));
        void Constant(string name, float value, long size) => tensors.Add((name, new[] { size }, Enumerable.Repeat(value, (int)size).ToArray()));
        void Norm(string name)
        {
            Constant(name + ".weight", 1, hidden);
            Constant(name + ".bias", 0, hidden);
        }
        void Linear(string name, int outputs, int inputs)
        {
            Normal(name + ".weight", outputs, inputs);
            Constant(name + ".bias", 0, outputs);
        }
        Normal("embeddings.word_embeddings.weight", RandomBert.Vocabulary.Length, hidden);
        Normal("embeddings.position_embeddings.weight", RandomBert.Positions, hidden);
        Norm("embeddings.LayerNorm");
        for (int l = 0; l < RandomBert.Layers; l++)
        {
            var p = $"transformer.layer.{l}.";
            foreach (var name in new[] { "q_lin", "k_lin", "v_lin", "out_lin" })
                Linear(p + "attention." + name, hidden, hidden);
            Norm(p + "sa_layer_norm");
            Linear(p + "ffn.lin1", feedForward, hidden);
            Linear(p + "ffn.lin2", hidden, feedForward);
            Norm(p + "output_layer_norm");
        }
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), tensors);
        return folder;
    }
}
