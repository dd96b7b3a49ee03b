// Document classification with explanations: trains a hierarchical attention network on support tickets
// (built-in data) or on your CSV, shows progress, metrics and a confusion matrix, saves and reloads the model,
// explains one prediction, and writes an HTML report of attention heat maps.
//
//   dotnet run --project samples/DocumentClassification
//   dotnet run --project samples/DocumentClassification -- --data my.csv --text-column Body --label-column Category
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME
// (default Label), --epochs N (default 5), --report FILE (default attention-report.html), --generate (rewrite
// the built-in data set).
using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
if (settings.Generate)
{
    TicketGenerator.Write(settings.DataPath, count: 2400, seed: 2024);
    AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(settings.DataPath)}[/].");
    return;
}

var ml = new MLContext(seed: 1);
var split = CsvData.LoadAndSplit(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn, "documents");

var options = TicketPipeline.Options(settings.Epochs);
var pipeline = TicketPipeline.Create(ml, options);

var model = TrainingProgressBar.Run(progress => options.Progress = progress, () => pipeline.Fit(split.TrainSet));

var scored = model.Transform(split.TestSet);
var metrics = ml.MulticlassClassification.Evaluate(scored);
var network = model.OfType<HierarchicalAttentionTransformer>().Single();
Report.Metrics(metrics);
Report.ConfusionMatrix(metrics, network.ClassNames);

var modelPath = Path.GetFullPath("document-classification-model.zip");
ml.Model.Save(model, split.TrainSet.Schema, modelPath);
var reloaded = new MLContext(seed: 1).Model.Load(modelPath, out _);
AnsiConsole.MarkupLine($"Saved the model to [bold]{Markup.Escape(modelPath)}[/] and loaded it back.");

var engine = ml.Model.CreatePredictionEngine<Document, Prediction>(reloaded);
var example = ml.Data.CreateEnumerable<Document>(split.TestSet, reuseRowObject: false).First();
var prediction = engine.Predict(example);
AnsiConsole.MarkupLine($"\nPrediction for one test document: [bold]{Markup.Escape(prediction.PredictedCategory)}[/] (true: {Markup.Escape(example.Label)})");
Report.Explanation(network.Explain(example.Text));

var reportDocuments = ml.Data.CreateEnumerable<Document>(split.TestSet, reuseRowObject: false).Take(25)
    .Select(d => new ReportDocument(d.Text, d.Label));
HierarchicalAttentionReport.Write(settings.ReportPath, network, reportDocuments, "Support tickets: hierarchical attention");
AnsiConsole.MarkupLine($"Wrote the attention report for 25 test documents to [bold]{Markup.Escape(Path.GetFullPath(settings.ReportPath))}[/].");

/// <summary>A document as the sample reads it back.</summary>
public sealed class Document
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>What the sample reads from the model.</summary>
public sealed class Prediction
{
    public string PredictedCategory { get; set; } = "";
    public float[] Score { get; set; } = Array.Empty<float>();
}
