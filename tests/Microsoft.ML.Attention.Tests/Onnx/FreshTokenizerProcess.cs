using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The parent side of the tokenizers' fresh-process tests: writes a tokenizer, an exported graph and texts to a
/// temporary folder, runs <c>TokenizerCheck</c> (LoadCheck <c>tokenize</c>) in a new process, asserts that it printed
/// this tokenizer's ids and loaded neither TorchSharp nor libtorch nor the main library (the tokenizer is the
/// Tokenizers assembly's), and returns the graph's output row of each text.
/// </summary>
internal static class FreshTokenizerProcess
{
    /// <param name="kind"><c>han</c>, <c>featurizer</c> or <c>pretrained</c>.</param>
    /// <param name="tokenizer">The tokenizer to save.</param>
    /// <param name="export">Writes the exported ONNX graph (ConvertToOnnx) to the stream.</param>
    /// <param name="texts">The texts to tokenize and score.</param>
    public static float[][] Run(string kind, TextTokenizer tokenizer, Action<Stream> export, string?[] texts)
        => Run(kind, tokenizer.Save, tokenizer.TokenIds, export, texts);

    /// <param name="kind"><c>han</c>, <c>featurizer</c> or <c>pretrained</c>.</param>
    /// <param name="saveTokenizer">Writes the tokenizer.</param>
    /// <param name="idsOf">The tokenizer's ids of a text, which the fresh process must print.</param>
    /// <param name="export">Writes the exported ONNX graph (ConvertToOnnx) to the stream.</param>
    /// <param name="texts">The texts to tokenize and score.</param>
    public static float[][] Run(string kind, Action<Stream> saveTokenizer, Func<string?, long[]> idsOf, Action<Stream> export, string?[] texts)
    {
        var folder = Directory.CreateTempSubdirectory($"{kind}-tokenizer-").FullName;
        try
        {
            var tokenizerPath = Path.Combine(folder, "tokenizer.bin");
            var textsPath = Path.Combine(folder, "texts.json");
            var onnxPath = Path.Combine(folder, "model.onnx");
            using (var stream = File.Create(tokenizerPath))
                saveTokenizer(stream);
            using (var stream = File.Create(onnxPath))
                export(stream);
            File.WriteAllText(textsPath, JsonSerializer.Serialize(texts));

            var lines = FreshProcess.Run(new[] { "tokenize", kind, tokenizerPath, textsPath, onnxPath });
            var ids = texts.Select((text, i) => $"ids {i}: {string.Join(' ', idsOf(text))}").ToList();
            CollectionAssert.AreEqual(ids, lines.Take(texts.Length).ToList(), "the fresh process's ids");
            CollectionAssert.AreEqual(new[] { "torchsharp-assembly False", "libtorch-mapped False", "attention-library False" }, lines.Skip(2 * texts.Length).ToList(), string.Join("\n", lines));
            return lines.Skip(texts.Length).Take(texts.Length)
                .Select(line => line.Split(": ")[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
