using System;
using System.IO;

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int TrainingRows, int Epochs, string? ModelPath)
{
    public static string BuiltInData => Path.Combine(AppContext.BaseDirectory, "Data", "intents.csv");

    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args, new SampleSettings(BuiltInData, "Text", "Label", 400, 3, null), new()
    {
        ["--data"] = (s, value) => s with { DataPath = value() },
        ["--text-column"] = (s, value) => s with { TextColumn = value() },
        ["--label-column"] = (s, value) => s with { LabelColumn = value() },
        ["--train"] = (s, value) => s with { TrainingRows = CommandLine.Positive(value(), "--train") },
        ["--epochs"] = (s, value) => s with { Epochs = CommandLine.Positive(value(), "--epochs") },
        ["--model"] = (s, value) => s with { ModelPath = value() },
    });
}
