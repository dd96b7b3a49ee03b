using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Spectre.Console;

/// <summary>Console tables for metrics, the confusion matrix and one explanation.</summary>
internal static class Report
{
    public static void Metrics(MulticlassClassificationMetrics metrics)
    {
        var table = new Table().Title("Test metrics").AddColumns("Metric", "Value");
        table.AddRow("Accuracy (micro)", $"{metrics.MicroAccuracy:P2}");
        table.AddRow("Accuracy (macro)", $"{metrics.MacroAccuracy:P2}");
        table.AddRow("Log-loss", $"{metrics.LogLoss:F4}");
        AnsiConsole.Write(table);
    }

    public static void ConfusionMatrix(MulticlassClassificationMetrics metrics, IReadOnlyList<string> classes)
    {
        var table = new Table().Title("Confusion matrix (rows: true class, columns: predicted)").AddColumn("");
        foreach (var name in classes)
            table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        var counts = metrics.ConfusionMatrix.Counts;
        for (int i = 0; i < counts.Count; i++)
            table.AddRow(new[] { Markup.Escape(classes[i]) }.Concat(counts[i].Select((c, j) => i == j ? $"[green]{c}[/]" : c == 0 ? "[grey]0[/]" : $"[red]{c}[/]")).ToArray());
        AnsiConsole.Write(table);
    }

    public static void Explanation(DocumentExplanation explanation)
    {
        var table = new Table().Title("Why: attention on each sentence (top words in bold)").AddColumns("Weight", "", "Sentence");
        foreach (var sentence in explanation.Sentences)
        {
            var top = sentence.Words.OrderByDescending(w => w.Weight).Take(2).Select(w => w.Start).ToHashSet();
            var text = string.Concat(sentence.Words.Select(w => top.Contains(w.Start) ? $"[bold yellow]{Markup.Escape(w.Text)}[/] " : Markup.Escape(w.Text) + " "));
            table.AddRow($"{sentence.Weight:F3}", $"[red]{new string('█', (int)Math.Round(sentence.Weight * 20))}[/]", text);
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Join("  ", explanation.Probabilities.OrderByDescending(p => p.Value).Select(p => $"{Markup.Escape(p.Key)} {p.Value:P1}")));
    }
}
