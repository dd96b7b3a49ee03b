namespace Microsoft.ML.Attention;

/// <summary>A document to show in a <see cref="HierarchicalAttentionReport"/>.</summary>
/// <param name="Text">The document text.</param>
/// <param name="TrueLabel">The known class, if any; the report marks disagreements with the prediction.</param>
public sealed record ReportDocument(string? Text, string? TrueLabel = null);
