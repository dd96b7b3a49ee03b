// Intent classification of short chatbot messages: the self-attention featurizer's vector next to ML.NET's n-grams,
// then SDCA. Compares against n-grams alone, saves and reloads the model and predicts a few messages.
//
//   dotnet run --project samples/IntentClassification
//   dotnet run --project samples/IntentClassification -- --data my.csv --text-column Utterance --label-column Intent
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME
// (default Label), --epochs N (featurizer epochs at most, default 20), --generate (rewrite the built-in data set).
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
if (settings.Generate)
{
    UtteranceGenerator.Write(settings.DataPath, count: 2500, seed: 7);
    AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(settings.DataPath)}[/].");
    return;
}

var ml = new MLContext(seed: 1);
var split = CsvData.LoadAndSplit(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn, "utterances");

var options = new SelfAttentionFeaturizingEstimator.Options
{
    InputColumnName = "Text",
    OutputColumnName = "Embedding",
    LabelColumnName = "Label",
    Variant = SelfAttentionVariant.Lightweight,
    // Utterances are a dozen words; a short window keeps every batch small.
    MaximumTokens = 32,
    // A chatbot corpus is small: a word seen once in training still carries its intent.
    MinimumWordCount = 1,
    NumberOfEpochs = settings.Epochs,
    // The word-order intents separate only after several epochs on a plateau; a short patience would stop there,
    // and the default learning rate, sized for the deeper encoder, would make the plateau longer.
    EarlyStoppingPatience = 5,
    LearningRate = 2e-3,
};
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.SelfAttentionFeaturize(options))
    .Append(ml.Transforms.Text.FeaturizeText("Ngrams", "Text"))
    .Append(ml.Transforms.Concatenate("Features", "Embedding", "Ngrams"))
    // SDCA passes over the rows many times; the cache keeps it from running the encoder again on every pass.
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedIntent", "PredictedLabel"));

var clock = Stopwatch.StartNew();
var model = TrainingProgressBar.Run(progress => options.Progress = progress, () => pipeline.Fit(split.TrainSet));
var attentionSeconds = clock.Elapsed.TotalSeconds;

clock.Restart();
var baseline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedIntent", "PredictedLabel"))
    .Fit(split.TrainSet);
var baselineSeconds = clock.Elapsed.TotalSeconds;

var scored = model.Transform(split.TestSet);
var metrics = ml.MulticlassClassification.Evaluate(scored);
var classes = Report.ClassNames(scored);
Report.Metrics(metrics);
Report.PerClass(metrics, classes);

var baselineScored = baseline.Transform(split.TestSet);
Report.Comparison(ml,
    new Candidate("Attention + n-grams", scored, metrics, attentionSeconds),
    new Candidate("n-grams only", baselineScored, ml.MulticlassClassification.Evaluate(baselineScored), baselineSeconds));

var modelPath = Path.GetFullPath("intent-classification-model.zip");
ml.Model.Save(model, split.TrainSet.Schema, modelPath);
var fresh = new MLContext(seed: 1);
var reloaded = fresh.Model.Load(modelPath, out _);
AnsiConsole.MarkupLine($"Saved the model to [bold]{Markup.Escape(modelPath)}[/] and loaded it back in a new MLContext.");

var engine = fresh.Model.CreatePredictionEngine<Utterance, IntentPrediction>(reloaded);
var examples = settings.UsesBuiltInData
    ? new[]
    {
        "move 40 dollars from savings to checking", "move 40 dollars from checking to savings",
        "I left my credit card at the mall", "what time does the Boston branch close?",
        "there's a Netflix charge I never made", "let me talk to somebody real",
    }
    : ml.Data.CreateEnumerable<Utterance>(split.TestSet, reuseRowObject: false).Take(6).Select(u => u.Text).ToArray();
var predictions = new Table().Title("Predictions of the reloaded model").AddColumns("Utterance", "Intent", "Probability");
foreach (var text in examples)
{
    var prediction = engine.Predict(new Utterance { Text = text });
    predictions.AddRow(Markup.Escape(text), Markup.Escape(prediction.PredictedIntent), $"{prediction.Score.Max():P1}");
}
AnsiConsole.Write(predictions);

/// <summary>An utterance as the sample reads it back.</summary>
public sealed class Utterance
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>What the sample reads from the model.</summary>
public sealed class IntentPrediction
{
    public string PredictedIntent { get; set; } = "";
    public float[] Score { get; set; } = Array.Empty<float>();
}
