using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Attention pooling on <see cref="TransformsCatalog"/>: <c>mlContext.Transforms.AttentionPooling(...)</c>.</summary>
public static class PoolingCatalog
{
    /// <summary>Pools a sequence of vectors into one vector with learned attention (or mean/max as baselines).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the pooled vector column.</param>
    /// <param name="inputColumnName">Name of the input column: T consecutive vectors of <paramref name="vectorSize"/> floats.</param>
    /// <param name="vectorSize">Size of each vector of the sequence.</param>
    /// <param name="labelColumnName">Label to learn where to look from (key, Boolean or Single); needed by attention mode.</param>
    /// <param name="weightsColumnName">Name of an optional column with the weight of each position.</param>
    /// <param name="mode">Attention, or mean or max pooling.</param>
    public static AttentionPoolingEstimator AttentionPooling(this TransformsCatalog catalog,
        string outputColumnName, string inputColumnName, int vectorSize, string? labelColumnName = null,
        string? weightsColumnName = null, PoolingMode mode = AttentionPoolingEstimator.Defaults.Mode)
        => new AttentionPoolingEstimator(catalog.GetEnvironment(), new AttentionPoolingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            VectorSize = vectorSize,
            LabelColumnName = labelColumnName,
            WeightsColumnName = weightsColumnName,
            Mode = mode,
        });

    /// <summary>Pools a sequence of vectors into one vector, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings.</param>
    public static AttentionPoolingEstimator AttentionPooling(this TransformsCatalog catalog, AttentionPoolingEstimator.Options options)
        => new AttentionPoolingEstimator(catalog.GetEnvironment(), options);
}
