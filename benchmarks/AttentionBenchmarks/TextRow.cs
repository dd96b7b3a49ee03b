namespace AttentionBenchmarks;

/// <summary>A document as an ML.NET row: string columns Label and Text.</summary>
public sealed class TextRow
{
    public string Label { get; set; } = "";
    public string Text { get; set; } = "";

    public static TextRow From(Document document) => new() { Label = document.Label, Text = document.Text };
}
