using System;
using System.IO;

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int Trials, int Folds, int Rows)
{
    public static string BuiltInData => Path.Combine(AppContext.BaseDirectory, "Data", "tickets.csv");

    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args, new SampleSettings(BuiltInData, "Text", "Label", 10, 3, 1200), new()
    {
        ["--data"] = (s, value) => s with { DataPath = value() },
        ["--text-column"] = (s, value) => s with { TextColumn = value() },
        ["--label-column"] = (s, value) => s with { LabelColumn = value() },
        ["--trials"] = (s, value) => s with { Trials = CommandLine.Positive(value(), "--trials") },
        ["--folds"] = (s, value) => s with { Folds = CommandLine.Positive(value(), "--folds") },
        ["--rows"] = (s, value) => s with { Rows = CommandLine.Positive(value(), "--rows") },
    });
}
