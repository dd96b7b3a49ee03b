using System;
using System.IO;
using System.Linq;
using System.Text.Json;

/// <summary>
/// What the training program hands to the scoring program: the exported graph, the tokenizer, and the test documents
/// with the predictions of the pipeline's Transform, which the scoring program must reproduce.
/// </summary>
internal sealed record DeploymentFolder(string Path)
{
    public string Onnx => System.IO.Path.Combine(Path, "document-classification.onnx");

    public string Tokenizer => System.IO.Path.Combine(Path, "han-tokenizer.bin");

    public string Expected => System.IO.Path.Combine(Path, "expected-predictions.json");

    public ExpectedPredictions ReadExpected() => JsonSerializer.Deserialize<ExpectedPredictions>(File.ReadAllText(Expected))
        ?? throw new InvalidDataException($"{Expected} is empty.");

    public void WriteExpected(ExpectedPredictions expected) => File.WriteAllText(Expected, JsonSerializer.Serialize(expected));

    /// <summary>The sum of the sizes of the files under <paramref name="folder"/>: an application's size on disk.</summary>
    public static long Size(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}

/// <summary>
/// The test documents and what Transform gave for them. <see cref="LabelOutput"/> names the graph output holding the
/// predicted label (ML.NET names a graph output after its column, with ".output").
/// </summary>
internal sealed record ExpectedPredictions(
    string LabelOutput, string[] Texts, string[] Labels, float[][] Scores, string TrainingApplicationFolder, long TrainingApplicationBytes);
