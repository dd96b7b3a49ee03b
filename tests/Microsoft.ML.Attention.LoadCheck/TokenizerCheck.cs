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
/// The child side of the tokenizers' fresh-process tests (HanTokenizerTests, FeaturizerExportTests), an application that
/// scores an exported HAN or featurizer without TorchSharp: reads a saved <see cref="HanTokenizer"/> or
/// <see cref="FeaturizerTokenizer"/> (<c>han</c> or <c>featurizer</c>) and texts (a JSON array), prints each text's token
/// ids, scores the texts with the exported graph in ONNX Runtime (the HAN's Score, the featurizer's Embedding), then
/// tells whether the process has loaded TorchSharp's assembly or mapped libtorch.
/// </summary>
/// <remarks>
/// Lines: <c>ids N: id id ...</c> per text, <c>score N: value ...</c> per text (round-trip floats), then
/// <c>torchsharp-assembly True|False</c> and <c>libtorch-mapped True|False</c>.
/// </remarks>
public static class TokenizerCheck
{
    public static IEnumerable<string> Run(string kind, string tokenizerPath, string textsPath, string onnxPath)
    {
        TextTokenizer tokenizer;
        using (var stream = File.OpenRead(tokenizerPath))
            tokenizer = kind == "han" ? HanTokenizer.Load(stream) : FeaturizerTokenizer.Load(stream);
        var texts = JsonSerializer.Deserialize<string?[]>(File.ReadAllText(textsPath))!;
        var lines = texts.Select((text, i) => $"ids {i}: {string.Join(' ', tokenizer.TokenIds(text))}").ToList();
        lines.AddRange(Scores(tokenizer, texts, onnxPath).Select((score, i) => $"score {i}: {string.Join(' ', score.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"));
        lines.Add($"torchsharp-assembly {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal))}");
        lines.Add($"libtorch-mapped {File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.Ordinal)}");
        return lines;
    }

    // The graph's Score output for a batch of texts: the ids from the tokenizer, the texts in Text; the pipeline's other
    // inputs (the label), which the graph only passes on, get empty values.
    private static float[][] Scores(TextTokenizer tokenizer, string?[] texts, string onnxPath)
    {
        using var session = new InferenceSession(onnxPath);
        var (ids, width, output) = tokenizer is HanTokenizer han
            ? (han.TokenIds(texts, out int sentences), sentences * han.MaximumWordsPerSentence, "Score")
            : (((FeaturizerTokenizer)tokenizer).TokenIds(texts, out int windows), windows * ((FeaturizerTokenizer)tokenizer).WindowWidth, "Embedding");
        var feeds = new List<NamedOnnxValue>();
        foreach (var (name, input) in session.InputMetadata)
        {
            var rows = new[] { texts.Length, 1 };
            feeds.Add(name switch
            {
                _ when name.EndsWith("TokenIds", StringComparison.Ordinal) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(ids, new[] { texts.Length, width })),
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
