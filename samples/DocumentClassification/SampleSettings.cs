using System;
using System.IO;

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int Epochs, string ReportPath, bool Generate)
{
    public static string BuiltInData => Path.Combine(AppContext.BaseDirectory, "Data", "tickets.csv");

    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args, new SampleSettings(BuiltInData, "Text", "Label", 5, "attention-report.html", false), new()
    {
        ["--data"] = (s, value) => s with { DataPath = value() },
        ["--text-column"] = (s, value) => s with { TextColumn = value() },
        ["--label-column"] = (s, value) => s with { LabelColumn = value() },
        ["--epochs"] = (s, value) => s with { Epochs = CommandLine.Positive(value(), "--epochs") },
        ["--report"] = (s, value) => s with { ReportPath = value() },
        ["--generate"] = (s, _) => s with { Generate = true, DataPath = Path.Combine("samples", "DocumentClassification", "Data", "tickets.csv") },
    });
}
