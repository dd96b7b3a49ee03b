using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Attention;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The child side of the tokenizers' fresh-process tests (HanTokenizerTests, FeaturizerExportTests, PretrainedExportTests), an application that
/// scores an exported HAN, featurizer or pretrained encoder without TorchSharp: reads a saved <see cref="HanTokenizer"/>,
/// <see cref="FeaturizerTokenizer"/> or <see cref="PretrainedTokenizer"/> (<c>han</c>, <c>featurizer</c>, <c>pretrained</c>)
/// and texts (a JSON array), prints each text's token ids, scores the texts with the exported graph in ONNX Runtime (the
/// HAN's Score, the encoders' Embedding), then
/// tells whether the process has loaded TorchSharp's assembly, mapped libtorch, or loaded the main library at all: every
/// tokenizer comes from the Microsoft.ML.Attention.Tokenizers assembly, which is all a scoring application references.
/// </summary>
/// <remarks>
/// Lines: <c>ids N: id id ...</c> per text, <c>score N: value ...</c> per text (round-trip floats), then
/// <c>torchsharp-assembly True|False</c>, <c>libtorch-mapped True|False</c> and <c>attention-library True|False</c>.
/// </remarks>
public static class TokenizerCheck
{
    public static IEnumerable<string> Run(string kind, string tokenizerPath, string textsPath, string onnxPath)
    {
        var (idsOf, block, output) = Read(kind, tokenizerPath);
        var texts = JsonSerializer.Deserialize<string?[]>(File.ReadAllText(textsPath))!;
        var lines = texts.Select((text, i) => $"ids {i}: {string.Join(' ', idsOf(text))}").ToList();
        lines.AddRange(Scores(block(texts), texts, onnxPath, output).Select((score, i) => $"score {i}: {string.Join(' ', score.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"));
        lines.Add($"torchsharp-assembly {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal))}");
        lines.Add($"libtorch-mapped {File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.Ordinal)}");
        lines.Add($"attention-library {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.ML.Attention")}");
        return lines;
    }

    // A text's ids, a batch's [texts, width] block of ids with its width, and the graph's output column to score.
    private static (Func<string?, long[]> IdsOf, Func<string?[], (long[] Ids, int Width)> Block, string Output) Read(string kind, string tokenizerPath)
    {
        using var stream = File.OpenRead(tokenizerPath);
        switch (kind)
        {
            case "han":
                var han = HanTokenizer.Load(stream);
                return (han.TokenIds, texts => (han.TokenIds(texts, out int sentences), sentences * han.MaximumWordsPerSentence), "Score");
            case "featurizer":
                var featurizer = FeaturizerTokenizer.Load(stream);
                return (featurizer.TokenIds, texts => (featurizer.TokenIds(texts, out int windows), windows * featurizer.WindowWidth), "Embedding");
            case "pretrained":
                var pretrained = PretrainedTokenizer.Load(stream);
                return (pretrained.TokenIds, texts => (pretrained.TokenIds(texts, out int tokens), tokens), "Embedding");
            default:
                throw new ArgumentException($"Unknown tokenizer kind '{kind}': han, featurizer or pretrained.", nameof(kind));
        }
    }

    // The graph's output column for a batch of texts: the ids from the tokenizer, the texts in Text; the pipeline's
    // other inputs (the label), which the graph only passes on, get empty values.
    private static float[][] Scores((long[] Ids, int Width) ids, string?[] texts, string onnxPath, string output)
    {
        using var session = new InferenceSession(onnxPath);
        var feeds = new List<NamedOnnxValue>();
        foreach (var (name, input) in session.InputMetadata)
        {
            var rows = new[] { texts.Length, 1 };
            feeds.Add(name switch
            {
                _ when name.EndsWith("TokenIds", StringComparison.Ordinal) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(ids.Ids, new[] { texts.Length, ids.Width })),
                "Text" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(texts.Select(t => t ?? "").ToArray(), rows)),
                _ when input.ElementType == typeof(bool) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(rows)),
                _ when input.ElementType == typeof(string) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(Enumerable.Repeat("", texts.Length).ToArray(), rows)),
                _ => throw new InvalidOperationException($"Unexpected graph input {name} of {input.ElementType}."),
            });
        }
        using var results = session.Run(feeds, new[] { output + ".output" });
        var score = results.Single().AsTensor<float>();
        int size = score.Dimensions[1];
        return Enumerable.Range(0, texts.Length).Select(row => Enumerable.Range(0, size).Select(i => score[row, i]).ToArray()).ToArray();
    }
}
