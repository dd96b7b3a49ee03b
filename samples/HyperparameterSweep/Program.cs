// Hyper-parameter sweep for the hierarchical attention network: a random search over HierarchicalAttentionTrainer.Options
// (epochs, word and sentence hidden sizes, learning rate, dropout, attention score), each candidate scored by k-fold
// cross-validation. ML.NET's AutoML package does not know this trainer; this is the small search it would have run.
// Built-in data: a subset of the document classification sample's support tickets.
//
//   dotnet run --project samples/HyperparameterSweep
//   dotnet run --project samples/HyperparameterSweep -- --data my.csv --text-column Body --label-column Category --trials 10 --folds 5
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME (default Label),
// --trials N (default 10), --folds K (default 3), --rows N (rows used, drawn at random; default 1200).
using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
if (settings.Folds < 2)
    throw new ArgumentException("--folds needs at least 2.");

var ml = new MLContext(seed: 1);
var all = CsvData.Load(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn);
// Shuffled before the cut, so a file sorted by label still gives every class to the subset.
var subset = ml.Data.TakeRows(ml.Data.ShuffleRows(all, seed: 1), settings.Rows);
// Keys come from the whole subset, so every fold's model and metrics share one class list.
var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(subset).Transform(subset);
data = ml.Data.Cache(data);
var rows = CsvData.Count(ml, data);
// The built-in file by name only: its full path under bin/ would wrap inside the name at 80 columns.
var dataName = settings.DataPath == SampleSettings.BuiltInData ? "built-in tickets.csv" : settings.DataPath;
AnsiConsole.MarkupLine($"Data: [bold]{Markup.Escape(dataName)}[/], {rows} rows, {settings.Folds}-fold cross-validation, {settings.Trials} trials.");

var candidates = SearchSpace.Draw(settings.Trials, seed: 1);
var results = new Trial[candidates.Count];
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(context =>
    {
        var task = context.AddTask("Sweep", maxValue: candidates.Count * settings.Folds);
        for (int i = 0; i < candidates.Count; i++)
        {
            var options = candidates[i].ToOptions();
            int fold = -1;
            var trial = i;
            options.Progress = p =>
            {
                // CrossValidate fits one model per fold with these options; a fold's first batch marks the next fold.
                if (p.Epoch == 1 && p.Batch == 1)
                    fold++;
                task.Value = trial * settings.Folds + fold + ((p.Epoch - 1) + (double)p.Batch / p.Batches) / p.Epochs;
                task.Description = $"Trial {trial + 1}/{candidates.Count}, fold {fold + 1}/{settings.Folds}, epoch {p.Epoch}/{p.Epochs}, loss {p.TrainingLoss:F3}, {p.RowsPerSecond:F0} docs/s";
            };
            var clock = Stopwatch.StartNew();
            var folds = ml.MulticlassClassification.CrossValidate(data, ml.MulticlassClassification.Trainers.HierarchicalAttention(options),
                numberOfFolds: settings.Folds, labelColumnName: "Label", seed: 1);
            results[i] = new Trial(candidates[i], folds.Select(f => f.Metrics.MicroAccuracy).ToArray(), folds.Select(f => f.Metrics.MacroAccuracy).ToArray(), clock.Elapsed);
            task.Value = (i + 1) * settings.Folds;
        }
    });

var ranked = results.OrderByDescending(r => r.MeanAccuracy).ThenBy(r => r.Time).ToList();
// Short headings keep the table within 80 columns (a default terminal, or redirected output), so no cell wraps.
var table = new Table().Title($"Trials, best first ({settings.Folds}-fold CV)")
    .AddColumns("Ep", "Word", "Sent", "Rate", "Drop", "Score", "Accuracy", "Macro", "Time");
foreach (var column in table.Columns)
    column.RightAligned();
foreach (var r in ranked)
{
    var c = r.Candidate;
    var accuracy = $"{r.MeanAccuracy * 100:F1}±{r.StdAccuracy * 100:F1}%";
    table.AddRow($"{c.Epochs}", $"{c.WordHiddenSize}", $"{c.SentenceHiddenSize}", $"{c.LearningRate:0.####}", $"{c.Dropout}", $"{c.ScoreFunction}",
        r == ranked[0] ? $"[green]{accuracy}[/]" : accuracy, $"{r.MeanMacroAccuracy:P1}", $"{r.Time.TotalSeconds:F1} s");
}
AnsiConsole.Write(table);
AnsiConsole.MarkupLine("Ep: epochs; Word, Sent: word and sentence hidden sizes per direction; Rate: learning rate; Drop: dropout; " +
    "Score: attention score; Accuracy: mean ± standard deviation over the folds; Macro: mean macro accuracy.");
AnsiConsole.MarkupLine($"Best options: [bold]new HierarchicalAttentionTrainer.Options {{ {Markup.Escape(ranked[0].Candidate.AsCode())} }}[/]");
AnsiConsole.MarkupLine($"Sweep time: {TimeSpan.FromTicks(results.Sum(r => r.Time.Ticks)):m\\:ss}.");

/// <summary>A candidate and what cross-validation said about it.</summary>
internal sealed record Trial(Candidate Candidate, double[] Accuracies, double[] MacroAccuracies, TimeSpan Time)
{
    public double MeanAccuracy => Accuracies.Average();

    // Sample standard deviation: the folds are a sample of the splits the data allows.
    public double StdAccuracy => Math.Sqrt(Accuracies.Sum(a => (a - MeanAccuracy) * (a - MeanAccuracy)) / Math.Max(1, Accuracies.Length - 1));

    public double MeanMacroAccuracy => MacroAccuracies.Average();
}
