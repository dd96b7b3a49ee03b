using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>The self-attention featurizer on <see cref="TransformsCatalog.TextTransforms"/>, beside <c>FeaturizeText</c>.</summary>
public static class SelfAttentionFeaturizerCatalog
{
    /// <summary>Learns a small self-attention encoder that turns text into a vector for any trainer.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the output vector column.</param>
    /// <param name="inputColumnName">Name of the text column.</param>
    /// <param name="labelColumnName">Label to learn from; null trains by masked-token prediction on the texts.</param>
    public static SelfAttentionFeaturizingEstimator SelfAttentionFeaturize(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string inputColumnName, string? labelColumnName = null)
        => new SelfAttentionFeaturizingEstimator(((IInternalCatalog)catalog).Environment, new SelfAttentionFeaturizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            LabelColumnName = labelColumnName,
        });

    /// <summary>Learns a small self-attention encoder, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings.</param>
    public static SelfAttentionFeaturizingEstimator SelfAttentionFeaturize(this TransformsCatalog.TextTransforms catalog,
        SelfAttentionFeaturizingEstimator.Options options)
        => new SelfAttentionFeaturizingEstimator(((IInternalCatalog)catalog).Environment, options);
}
