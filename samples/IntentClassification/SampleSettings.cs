using System;
using System.IO;

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int Epochs, bool Generate)
{
    public static string BuiltInData => Path.Combine(AppContext.BaseDirectory, "Data", "intents.csv");

    public bool UsesBuiltInData => DataPath == BuiltInData;

    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args, new SampleSettings(BuiltInData, "Text", "Label", 20, false), new()
    {
        ["--data"] = (s, value) => s with { DataPath = value() },
        ["--text-column"] = (s, value) => s with { TextColumn = value() },
        ["--label-column"] = (s, value) => s with { LabelColumn = value() },
        ["--epochs"] = (s, value) => s with { Epochs = CommandLine.Positive(value(), "--epochs") },
        ["--generate"] = (s, _) => s with { Generate = true, DataPath = Path.Combine("samples", "IntentClassification", "Data", "intents.csv") },
    });
}
