using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// An exported pipeline scores the same in a runtime outside .NET: ONNX Runtime for Node (tests/onnxruntime-node,
/// installed by <c>npm ci</c> there, which .ci/run does) gives our <c>Transform</c>'s outputs within 1e-4: the attention
/// pooling's, and the HAN's from the token ids of its tokenizer (scores, predicted label, sentence and word weights).
/// </summary>
[TestClass]
public sealed class NodeRuntimeTests
{
    // tests/onnxruntime-node beside this test project's source, found from the build output folder upwards.
    private static readonly string? Script = FindScript();

    [TestMethod]
    [DataRow("Location, Soft, 3 heads, projection")]
    [DataRow("Additive, Soft, query")]
    public void OnnxRuntimeForNodeScoresAsTransformDoes(string combination)
    {
        if (Script == null)
            Assert.Inconclusive("ONNX Runtime for Node is not installed: run `npm ci` in tests/onnxruntime-node (node and npm needed).");
        var folder = Directory.CreateTempSubdirectory("onnx-node-").FullName;
        try
        {
            var ml = new MLContext(seed: 3);
            var rows = PoolingExportTests.Rows(24, seed: 9, withNonFinite: false);
            var model = PoolingExportTests.Pipeline(ml, PoolingExportTests.Options(combination)).Fit(ml.Data.LoadFromEnumerable(rows));
            var scoring = ml.Data.LoadFromEnumerable(rows.Select(r => new PoolingExportTests.ScoringRow { Sequence = r.Sequence, Query = r.Query }));
            var transformed = model.Transform(scoring);
            var columns = new[] { "Pooled", "Weights", "Score" };
            var expected = columns.ToDictionary(c => c, c => ColumnAssert.Vectors(transformed, c));
            var expectedLabels = transformed.GetColumn<uint>("PredictedLabel").ToArray();

            var modelPath = Path.Combine(folder, "pooling.onnx");
            using (var file = File.Create(modelPath))
                ml.Model.ConvertToOnnx(model, scoring, file);
            (model as IDisposable)?.Dispose();
            // One batch padded with NaN to the longest row: the exported graph masks the padding.
            int longest = rows.Max(r => r.Sequence.Length);
            var inputs = new JsonObject
            {
                ["Sequence"] = Tensor(rows.Select(r => r.Sequence.Concat(Enumerable.Repeat(float.NaN, longest - r.Sequence.Length)).ToArray()).ToList()),
                ["Query"] = Tensor(rows.Select(r => r.Query).ToList()),
            };
            var outputs = Score(folder, modelPath, inputs);
            foreach (var column in columns)
            {
                var (width, values) = Read(outputs[column + ".output"]!);
                for (int i = 0; i < rows.Count; i++)
                {
                    var row = values.Skip(i * width).Take(expected[column][i].Length).ToArray();
                    ExportAssert.AreClose(expected[column][i], row, $"{combination}: {column}, row {i}, ONNX Runtime for Node");
                }
            }
            var (_, labels) = Read(outputs["PredictedLabel.output"]!);
            CollectionAssert.AreEqual(expectedLabels, labels.Select(v => (uint)v).ToArray(), $"{combination}: PredictedLabel, ONNX Runtime for Node");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("Multiclass, GRU")]
    [DataRow("Binary, LSTM")]
    public void OnnxRuntimeForNodeScoresTheExportedHanAsTransformDoes(string combination)
    {
        if (Script == null)
            Assert.Inconclusive("ONNX Runtime for Node is not installed: run `npm ci` in tests/onnxruntime-node (node and npm needed).");
        bool binary = combination.StartsWith("Binary", StringComparison.Ordinal);
        var folder = Directory.CreateTempSubdirectory("onnx-node-han-").FullName;
        try
        {
            var ml = new MLContext(seed: 4);
            var training = ml.Data.LoadFromEnumerable(HanExportTests.Documents(96, seed: 2));
            var model = HanExportTests.Pipeline(ml, combination).Fit(training);
            var rows = HanExportTests.ExportRows(HanExportTests.Han(model).GetTokenizer(), HanExportTests.Documents(12, seed: 9).Concat(HanExportTests.SpecialDocuments()).ToList());
            var transformed = model.Transform(ml.Data.LoadFromEnumerable(rows));
            var expected = new[] { "SentenceWeights", "WordWeights", "WordWeightsSentenceLengths" }.ToDictionary(c => c, c => ColumnAssert.Vectors(transformed, c));
            expected["Score"] = binary ? transformed.GetColumn<float>("Score").Select(v => new[] { v }).ToList() : ColumnAssert.Vectors(transformed, "Score");
            var labels = binary
                ? transformed.GetColumn<bool>("PredictedLabel").Select(b => b.ToString()).ToArray()
                : transformed.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
            Assert.IsGreaterThan(1, labels.Distinct().Count(), $"{combination}: the network predicts more than one class, so labels are a real check");

            var modelPath = Path.Combine(folder, "han.onnx");
            using (var file = File.Create(modelPath))
                ml.Model.ConvertToOnnx(model, training, file);
            (model as IDisposable)?.Dispose();
            // One batch: the token ids padded with 0 to the most sentences, the pipeline's other inputs as they are.
            int width = rows.Max(r => r.TextTokenIds.Length);
            var inputs = new JsonObject
            {
                ["TextTokenIds"] = Typed("int64", rows.Count, width, rows.SelectMany(r => r.TextTokenIds.Concat(Enumerable.Repeat(0L, width - r.TextTokenIds.Length))).Select(v => (JsonNode)v)),
                ["Text"] = Typed("string", rows.Count, 1, rows.Select(r => (JsonNode)r.Text)),
                ["Label"] = Typed("string", rows.Count, 1, rows.Select(r => (JsonNode)r.Label)),
                ["IsFinance"] = Typed("bool", rows.Count, 1, rows.Select(r => (JsonNode)r.IsFinance)),
            };
            var outputs = Score(folder, modelPath, inputs);

            var (_, scores) = Read(outputs["Score.output"]!);
            var (sentenceWidth, sentenceWeights) = Read(outputs["SentenceWeights.output"]!);
            var (wordWidth, wordWeights) = Read(outputs["WordWeights.output"]!);
            var predicted = outputs["PredictedLabel.output"]!["data"]!.AsArray().Select(v => binary ? v!.GetValue<bool>().ToString() : v!.GetValue<string>()).ToArray();
            int classes = expected["Score"][0].Length;
            for (int i = 0; i < rows.Count; i++)
            {
                string message = $"{combination}, row {i}, ONNX Runtime for Node";
                var lengths = expected["WordWeightsSentenceLengths"][i];
                ExportAssert.AreClose(expected["Score"][i], scores.Skip(i * classes).Take(classes).ToArray(), $"{message}: Score");
                ExportAssert.AreClose(expected["SentenceWeights"][i], HanExportTests.Sentences(sentenceWeights.Skip(i * sentenceWidth).Take(sentenceWidth).ToArray(), lengths.Length), $"{message}: sentence weights");
                ExportAssert.AreClose(expected["WordWeights"][i], HanExportTests.Words(wordWeights.Skip(i * wordWidth).Take(wordWidth).ToArray(), lengths), $"{message}: word weights");
                Assert.AreEqual(labels[i], predicted[i], $"{message}: predicted label");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Runs score.js on the inputs (written to the folder) and returns the graph's outputs by name.
    private static JsonObject Score(string folder, string modelPath, JsonObject inputs)
    {
        File.WriteAllText(Path.Combine(folder, "inputs.json"), inputs.ToJsonString());
        var (status, output) = Node(Script!, modelPath, Path.Combine(folder, "inputs.json"), Path.Combine(folder, "outputs.json"));
        Assert.AreEqual(0, status, output);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "outputs.json")))!.AsObject();
    }

    private static JsonObject Typed(string type, int rows, int width, IEnumerable<JsonNode> data) => new()
    {
        ["type"] = type,
        ["dims"] = new JsonArray(rows, width),
        ["data"] = new JsonArray(data.ToArray()),
    };

    private static JsonObject Tensor(List<float[]> rows) => new()
    {
        ["dims"] = new JsonArray(rows.Count, rows.Count == 0 ? 0 : rows[0].Length),
        ["data"] = new JsonArray(rows.SelectMany(r => r).Select(v => float.IsNaN(v) ? JsonValue.Create("NaN") : (JsonNode)JsonValue.Create(v)).ToArray()),
    };

    // A [rows, width] output (or [rows] for a key): its width and its values, "NaN" read as NaN.
    private static (int Width, float[] Values) Read(JsonNode tensor)
    {
        var dims = tensor["dims"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        var values = tensor["data"]!.AsArray().Select(v => v!.GetValueKind() == JsonValueKind.String
            ? float.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture) : v.GetValue<float>()).ToArray();
        return (dims.Length > 1 ? dims[1] : 1, values);
    }

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "onnxruntime-node");
            if (File.Exists(Path.Combine(candidate, "score.js")))
                return Directory.Exists(Path.Combine(candidate, "node_modules", "onnxruntime-node")) ? Path.Combine(candidate, "score.js") : null;
        }
        return null;
    }

    private static (int Status, string Output) Node(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "node did not finish within 120 s");
        }
        return (process.ExitCode, output + error.Result);
    }
}
