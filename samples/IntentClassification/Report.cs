using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

/// <summary>A trained pipeline as the comparison table shows it.</summary>
internal sealed record Candidate(string Name, IDataView Scored, MulticlassClassificationMetrics Metrics, double TrainingSeconds);

/// <summary>Console tables for the metrics, each intent and the comparison with n-grams alone.</summary>
internal static class Report
{
    // The built-in data's intents that differ only in word order; the comparison shows them apart when present.
    private static readonly string[] WordOrderPair = { "transfer_to_savings", "transfer_to_checking" };

    public static List<string> ClassNames(IDataView scored)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Label"].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToList();
    }

    public static void Metrics(MulticlassClassificationMetrics metrics)
        => AnsiConsole.MarkupLine($"Test accuracy [bold]{metrics.MicroAccuracy:P2}[/] (macro {metrics.MacroAccuracy:P2}), log-loss {metrics.LogLoss:F4}.");

    public static void PerClass(MulticlassClassificationMetrics metrics, IReadOnlyList<string> classes)
    {
        var matrix = metrics.ConfusionMatrix;
        var table = new Table().Title("Test metrics per intent").AddColumns("Intent", "Test rows", "Precision", "Recall", "Most often confused with");
        foreach (var column in table.Columns.Skip(1).Take(3))
            column.RightAligned();
        for (int i = 0; i < classes.Count; i++)
        {
            var row = matrix.Counts[i];
            var confusion = Enumerable.Range(0, classes.Count).Where(j => j != i && row[j] > 0).OrderByDescending(j => row[j]).Select(j => $"{classes[j]} ({row[j]})").FirstOrDefault() ?? "";
            var recall = matrix.PerClassRecall[i];
            table.AddRow(Markup.Escape(classes[i]), $"{row.Sum()}", $"{matrix.PerClassPrecision[i]:P1}",
                recall < 0.9 ? $"[red]{recall:P1}[/]" : $"{recall:P1}", Markup.Escape(confusion));
        }
        AnsiConsole.Write(table);
    }

    public static void Comparison(MLContext ml, params Candidate[] candidates)
    {
        var classes = ClassNames(candidates[0].Scored);
        var pair = WordOrderPair.All(classes.Contains) ? WordOrderPair.Select(n => (uint)(classes.IndexOf(n) + 1)).ToHashSet() : null;
        var table = new Table().Title("Compared on the same test set").AddColumn("Pipeline");
        foreach (var heading in new[] { "Accuracy", "Macro accuracy", "Log-loss" }.Concat(pair == null ? Array.Empty<string>() : new[] { "Transfers (word order)" }).Append("Training"))
            table.AddColumn(new TableColumn(heading).RightAligned());
        foreach (var c in candidates)
        {
            var cells = new List<string> { Markup.Escape(c.Name), $"{c.Metrics.MicroAccuracy:P2}", $"{c.Metrics.MacroAccuracy:P2}", $"{c.Metrics.LogLoss:F4}" };
            if (pair != null)
            {
                var transfers = ml.Data.CreateEnumerable<KeyPair>(c.Scored, reuseRowObject: false).Where(r => pair.Contains(r.Label)).ToList();
                cells.Add($"{transfers.Count(r => r.Label == r.PredictedLabel) / (double)transfers.Count:P1} of {transfers.Count}");
            }
            cells.Add($"{c.TrainingSeconds:F1} s");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    /// <summary>The true and predicted class as keys (1-based indexes into the class names).</summary>
    public sealed class KeyPair
    {
        public uint Label { get; set; }
        public uint PredictedLabel { get; set; }
    }
}
