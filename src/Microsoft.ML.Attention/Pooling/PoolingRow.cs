namespace Microsoft.ML.Attention.Pooling;

/// <summary>
/// One row's input to the pooling module: T x D values, which positions are usable (null: all),
/// and the query vector when a query column is used.
/// </summary>
internal sealed record PoolingRow(float[] Values, bool[]? Usable, float[]? Query);
