// Train here, deploy anywhere: trains the DocumentClassification sample's pipeline (a hierarchical attention network on
// the built-in support tickets, or on your CSV), exports it with ML.NET's own mlContext.Model.ConvertToOnnx, saves the
// network's tokenizer beside it, and writes the test documents with Transform's predictions. The Scoring program
// (samples/OnnxDeployment/Scoring) then scores the exported file in ONNX Runtime without TorchSharp and checks that
// it predicts the same.
//
//   dotnet run --project samples/OnnxDeployment/Training
//   dotnet run --project samples/OnnxDeployment/Scoring -- onnx-deployment
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME (default
// Label), --epochs N (default 5), --output FOLDER (default onnx-deployment).
using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
var ml = new MLContext(seed: 1);
var split = CsvData.LoadAndSplit(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn, "documents");

// The pipeline of samples/DocumentClassification.
var options = TicketPipeline.Options(settings.Epochs);
var pipeline = TicketPipeline.Create(ml, options);
var model = TrainingProgressBar.Run(progress => options.Progress = progress, () => pipeline.Fit(split.TrainSet));
var network = model.OfType<HierarchicalAttentionTransformer>().Single();

var scored = model.Transform(split.TestSet);
var metrics = ml.MulticlassClassification.Evaluate(scored);
AnsiConsole.MarkupLine($"Test accuracy (Transform): [bold]{metrics.MicroAccuracy:P1}[/]");

// The graph starts at the network's token ids (an input it declares beside the pipeline's columns), which the
// tokenizer computes where the graph is scored.
var folder = new DeploymentFolder(Path.GetFullPath(settings.OutputFolder));
Directory.CreateDirectory(folder.Path);
using (var stream = File.Create(folder.Onnx))
    ml.Model.ConvertToOnnx(model, split.TestSet, stream);
using (var stream = File.Create(folder.Tokenizer))
    network.GetTokenizer().Save(stream);

var texts = scored.GetColumn<string>("Text").ToArray();
folder.WriteExpected(new ExpectedPredictions(
    LabelOutput: "PredictedCategory.output",
    Texts: texts,
    Labels: scored.GetColumn<string>("PredictedCategory").ToArray(),
    Scores: scored.GetColumn<float[]>("Score").ToArray(),
    TrainingApplicationFolder: AppContext.BaseDirectory,
    TrainingApplicationBytes: DeploymentFolder.Size(AppContext.BaseDirectory)));
(model as IDisposable)?.Dispose();

AnsiConsole.MarkupLine($"Exported the pipeline to [bold]{Markup.Escape(folder.Onnx)}[/] ({new FileInfo(folder.Onnx).Length / 1024.0:N0} KiB), "
    + $"its tokenizer to [bold]{Markup.Escape(folder.Tokenizer)}[/] and Transform's predictions for {texts.Length} test documents beside them.");
AnsiConsole.MarkupLine($"Score them without TorchSharp: [bold]dotnet run --project samples/OnnxDeployment/Scoring -- {Markup.Escape(settings.OutputFolder)}[/]");

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int Epochs, string OutputFolder)
{
    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args,
        new SampleSettings(Path.Combine(AppContext.BaseDirectory, "Data", "tickets.csv"), "Text", "Label", 5, "onnx-deployment"), new()
        {
            ["--data"] = (s, value) => s with { DataPath = value() },
            ["--text-column"] = (s, value) => s with { TextColumn = value() },
            ["--label-column"] = (s, value) => s with { LabelColumn = value() },
            ["--epochs"] = (s, value) => s with { Epochs = CommandLine.Positive(value(), "--epochs") },
            ["--output"] = (s, value) => s with { OutputFolder = value() },
        });
}
