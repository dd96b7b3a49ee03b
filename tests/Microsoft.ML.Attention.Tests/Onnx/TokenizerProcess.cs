using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// An application that scores an exported graph without TorchSharp, in a fresh process (LoadCheck's tokenizer check):
/// the tokenizer and the graph are saved to files, the process tokenizes the texts and scores them in ONNX Runtime, and
/// must not have loaded TorchSharp's assembly or mapped libtorch.
/// </summary>
internal static class TokenizerProcess
{
    /// <summary>Each text's ids line ("ids N: ...") and the values of the graph's float column <paramref name="column"/>.</summary>
    public static (List<string> IdLines, float[][] Values) Run(Action<Stream> saveTokenizer, MLContext ml, ITransformer model, IDataView data, string?[] texts, string column)
    {
        var folder = Directory.CreateTempSubdirectory("tokenizer-process-").FullName;
        try
        {
            var tokenizerPath = Path.Combine(folder, "tokenizer.bin");
            var textsPath = Path.Combine(folder, "texts.json");
            var onnxPath = Path.Combine(folder, "model.onnx");
            using (var stream = File.Create(tokenizerPath))
                saveTokenizer(stream);
            using (var stream = File.Create(onnxPath))
                ml.Model.ConvertToOnnx(model, data, stream);
            File.WriteAllText(textsPath, JsonSerializer.Serialize(texts));

            var lines = FreshProcess.Run(new[] { "tokenize", tokenizerPath, textsPath, onnxPath, column });
            CollectionAssert.AreEqual(new[] { "torchsharp-assembly False", "libtorch-mapped False" }, lines.Skip(2 * texts.Length).ToList(), string.Join("\n", lines));
            var values = lines.Skip(texts.Length).Take(texts.Length)
                .Select(line => line.Split(": ")[1].Split(' ').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
            return (lines.Take(texts.Length).ToList(), values);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
