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
/// The child side of the tokenizers' fresh-process tests (HanTokenizerTests, PretrainedExportTests), an application
/// that scores an exported HAN or pretrained encoder without TorchSharp: reads a saved <see cref="HanTokenizer"/> or
/// <see cref="PretrainedTokenizer"/> (told apart by the name their files start with) and texts (a JSON array), prints
/// each text's token ids, scores the texts with the exported graph in ONNX Runtime (the float vector column
/// <c>column</c>), then tells whether the process has loaded TorchSharp's assembly or mapped libtorch.
/// </summary>
/// <remarks>
/// Lines: <c>ids N: id id ...</c> per text, <c>score N: value ...</c> per text (round-trip floats), then
/// <c>torchsharp-assembly True|False</c> and <c>libtorch-mapped True|False</c>.
/// </remarks>
public static class TokenizerCheck
{
    public static IEnumerable<string> Run(string tokenizerPath, string textsPath, string onnxPath, string column = "Score")
    {
        var (idsOf, block) = Read(tokenizerPath);
        var texts = JsonSerializer.Deserialize<string?[]>(File.ReadAllText(textsPath))!;
        var lines = texts.Select((text, i) => $"ids {i}: {string.Join(' ', idsOf(text))}").ToList();
        lines.AddRange(Scores(block(texts), texts, onnxPath, column).Select((score, i) => $"score {i}: {string.Join(' ', score.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"));
        lines.Add($"torchsharp-assembly {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal))}");
        lines.Add($"libtorch-mapped {File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.Ordinal)}");
        return lines;
    }

    // A text's ids, and a batch's [texts, width] block of ids with its width.
    private static (Func<string?, long[]> IdsOf, Func<string?[], (long[] Ids, int Width)> Block) Read(string tokenizerPath)
    {
        using var stream = File.OpenRead(tokenizerPath);
        string magic;
        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            magic = reader.ReadString();
        stream.Position = 0;
        if (magic == "HANTOKEN")
        {
            var han = HanTokenizer.Load(stream);
            return (han.TokenIds, texts => (han.TokenIds(texts, out int sentences), sentences * han.MaximumWordsPerSentence));
        }
        var pretrained = PretrainedTokenizer.Load(stream);
        return (pretrained.TokenIds, texts => (pretrained.TokenIds(texts, out int tokens), tokens));
    }

    // The graph's output column for a batch of texts: the ids from the tokenizer, the texts in Text; the pipeline's
    // other inputs (the label), which the graph only passes on, get empty values.
    private static float[][] Scores((long[] Ids, int Width) ids, string?[] texts, string onnxPath, string column)
    {
        using var session = new InferenceSession(onnxPath);
        var feeds = new List<NamedOnnxValue>();
        foreach (var (name, input) in session.InputMetadata)
        {
            var rows = new[] { texts.Length, 1 };
            feeds.Add(name switch
            {
                "TextTokenIds" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(ids.Ids, new[] { texts.Length, ids.Width })),
                "Text" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(texts.Select(t => t ?? "").ToArray(), rows)),
                _ when input.ElementType == typeof(bool) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(rows)),
                _ when input.ElementType == typeof(string) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(Enumerable.Repeat("", texts.Length).ToArray(), rows)),
                _ => throw new InvalidOperationException($"Unexpected graph input {name} of {input.ElementType}."),
            });
        }
        using var results = session.Run(feeds, new[] { column + ".output" });
        var score = results.Single().AsTensor<float>();
        int width = score.Dimensions[1];
        return Enumerable.Range(0, texts.Length).Select(row => Enumerable.Range(0, width).Select(i => score[row, i]).ToArray()).ToArray();
    }
}
