/// <summary>The sample's command line; without --data it generates its sensor readings.</summary>
internal sealed record SampleSettings(string? DataPath, string SequenceColumn, string LabelColumn, int VectorSize, string? ExportPath)
{
    public static SampleSettings Parse(string[] args) => CommandLine.Parse(args, new SampleSettings(null, "Sequence", "Label", 3, null), new()
    {
        ["--data"] = (s, value) => s with { DataPath = value() },
        ["--sequence-column"] = (s, value) => s with { SequenceColumn = value() },
        ["--label-column"] = (s, value) => s with { LabelColumn = value() },
        ["--vector-size"] = (s, value) => s with { VectorSize = CommandLine.Positive(value(), "--vector-size") },
        ["--export"] = (s, value) => s with { ExportPath = value() },
    });
}
