// Scores the pipeline that samples/OnnxDeployment/Training exported, as a deployed application does: ONNX Runtime runs
// the graph, Microsoft.ML.Attention.Tokenizers turns the texts into the network's token ids. This program references
// neither ML.NET nor TorchSharp; it checks that it predicts what the training program's Transform predicted, that no
// TorchSharp assembly or libtorch library is in its process, and prints the size of both applications.
//
//   dotnet run --project samples/OnnxDeployment/Scoring -- onnx-deployment
//
// Run both programs from `dotnet publish` output to compare published sizes (README, "ONNX deployment").
// Exit code 0 when every check passed.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

const double Tolerance = 1e-4;
const int BatchSize = 64;

if (args.Length != 1)
{
    Console.Error.WriteLine("Usage: OnnxDeployment.Scoring FOLDER (the --output folder of samples/OnnxDeployment/Training)");
    return 2;
}
var folder = new DeploymentFolder(Path.GetFullPath(args[0]));
var expected = folder.ReadExpected();
HanTokenizer tokenizer;
using (var stream = File.OpenRead(folder.Tokenizer))
    tokenizer = HanTokenizer.Load(stream);
using var session = new InferenceSession(folder.Onnx);

var labels = new List<string>();
double maxScoreDifference = 0;
for (int start = 0; start < expected.Texts.Length; start += BatchSize)
{
    var batch = expected.Texts.Skip(start).Take(BatchSize).ToArray();
    using var results = session.Run(Feeds(batch), new[] { expected.LabelOutput, "Score.output" });
    var predicted = results.First(r => r.Name == expected.LabelOutput).AsTensor<string>();
    var scores = results.First(r => r.Name == "Score.output").AsTensor<float>();
    for (int i = 0; i < batch.Length; i++)
    {
        labels.Add(predicted[i, 0]);
        var want = expected.Scores[start + i];
        for (int c = 0; c < want.Length; c++)
            maxScoreDifference = Math.Max(maxScoreDifference, Math.Abs(want[c] - scores[i, c]));
    }
}

Console.WriteLine("Predictions of the exported graph in ONNX Runtime (first 10):");
for (int i = 0; i < Math.Min(10, labels.Count); i++)
    Console.WriteLine($"  {labels[i],-16} {Shorten(expected.Texts[i])}");
int same = labels.Where((label, i) => label == expected.Labels[i]).Count();
bool torchSharp = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal));
bool libtorch = OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/maps") is var maps
    && (maps.Contains("libtorch", StringComparison.Ordinal) || maps.Contains("libLibTorchSharp", StringComparison.Ordinal));
Console.WriteLine($"Same predicted label as Transform: {same} of {labels.Count} documents");
Console.WriteLine($"Largest score difference from Transform: {maxScoreDifference:G3} (tolerance {Tolerance:G1})");
Console.WriteLine($"TorchSharp assembly loaded: {torchSharp}; libtorch mapped: {libtorch}");
Console.WriteLine($"Size of the training application ({expected.TrainingApplicationFolder}): {Megabytes(expected.TrainingApplicationBytes)}");
Console.WriteLine($"Size of this scoring application ({AppContext.BaseDirectory}): {Megabytes(DeploymentFolder.Size(AppContext.BaseDirectory))}");
bool passed = same == labels.Count && maxScoreDifference <= Tolerance && !torchSharp && !libtorch;
Console.WriteLine(passed ? "All checks passed." : "A check FAILED.");
return passed ? 0 : 1;

// The graph's inputs for a batch: the token ids, the texts; the pipeline's other input columns (the label, which the
// graph only passes through) get empty values.
List<NamedOnnxValue> Feeds(string[] texts)
{
    var ids = tokenizer.TokenIds(texts, out int sentences);
    var rows = new[] { texts.Length, 1 };
    return session.InputMetadata.Select(input => input.Key switch
    {
        "TextTokenIds" => NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<long>(ids, new[] { texts.Length, sentences * tokenizer.MaximumWordsPerSentence })),
        "Text" => NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<string>(texts, rows)),
        _ when input.Value.ElementType == typeof(string) => NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<string>(Enumerable.Repeat("", texts.Length).ToArray(), rows)),
        _ => throw new InvalidDataException($"The graph has an input this program does not fill: {input.Key} ({input.Value.ElementType})."),
    }).ToList();
}

static string Shorten(string text) => text.Length <= 70 ? text : text[..70] + "…";

static string Megabytes(long bytes) => $"{bytes / 1e6:N1} MB";
