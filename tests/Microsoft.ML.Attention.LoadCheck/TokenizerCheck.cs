using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Attention;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The child side of the tokenizer's fresh-process test (HanTokenizerTests): reads a saved <see cref="HanTokenizer"/>
/// and texts (a JSON array), prints each text's token ids, then whether the process has loaded TorchSharp's assembly
/// or mapped libtorch, as an application that scores the exported graph in ONNX Runtime would be.
/// </summary>
/// <remarks>Lines: <c>ids N: id id ...</c> per text, then <c>torchsharp-assembly True|False</c> and <c>libtorch-mapped True|False</c>.</remarks>
public static class TokenizerCheck
{
    public static IEnumerable<string> Run(string tokenizerPath, string textsPath)
    {
        HanTokenizer tokenizer;
        using (var stream = File.OpenRead(tokenizerPath))
            tokenizer = HanTokenizer.Load(stream);
        var texts = JsonSerializer.Deserialize<string?[]>(File.ReadAllText(textsPath))!;
        var lines = texts.Select((text, i) => $"ids {i}: {string.Join(' ', tokenizer.TokenIds(text))}").ToList();
        lines.Add($"torchsharp-assembly {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal))}");
        lines.Add($"libtorch-mapped {File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.Ordinal)}");
        return lines;
    }
}
