using System;
using System.IO;

/// <summary>The sample's command line.</summary>
internal sealed record SampleSettings(string DataPath, string TextColumn, string LabelColumn, int Epochs, string ReportPath, bool Generate)
{
    public static string BuiltInData => Path.Combine(AppContext.BaseDirectory, "Data", "tickets.csv");

    public static SampleSettings Parse(string[] args)
    {
        var settings = new SampleSettings(BuiltInData, "Text", "Label", 5, "attention-report.html", false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--data" => settings with { DataPath = Value() },
                "--text-column" => settings with { TextColumn = Value() },
                "--label-column" => settings with { LabelColumn = Value() },
                "--epochs" => settings with { Epochs = int.Parse(Value()) },
                "--report" => settings with { ReportPath = Value() },
                "--generate" => settings with { Generate = true, DataPath = Path.Combine("samples", "DocumentClassification", "Data", "tickets.csv") },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --data FILE, --text-column NAME, --label-column NAME, --epochs N, --report FILE, --generate."),
            };
        }
        return settings;
    }
}
