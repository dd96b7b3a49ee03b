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

    /// <summary>
    /// Obsolete: use <see cref="PretrainedEncoderCatalog.ApplyPretrainedEncoder(TransformsCatalog.TextTransforms, string, string, string, string?, int, int, double)"/>,
    /// to which this forwards. Turns text into vectors with a pretrained BERT-family encoder read from local files: fine-tuned on
    /// <paramref name="labelColumnName"/>, or frozen when it is null. The encoder's shape, vocabulary and tokenization
    /// come from the model; fine-tuning uses AdamW (learning rate 1e-4, batches of 16, 10% warm-up, up to 3 epochs).
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the output vector column.</param>
    /// <param name="inputColumnName">Name of the text column.</param>
    /// <param name="labelColumnName">Label to fine-tune on; null keeps the pretrained encoder frozen.</param>
    /// <param name="pretrainedModelPath">A Hugging Face or sentence-transformers model folder, or an .onnx file with vocab.txt beside it.</param>
    [System.Obsolete(SelfAttentionFeaturizingEstimator.PretrainedPathObsolete)]
    public static SelfAttentionFeaturizingEstimator SelfAttentionFeaturize(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string inputColumnName, string? labelColumnName, string pretrainedModelPath)
        => new SelfAttentionFeaturizingEstimator(((IInternalCatalog)catalog).Environment, new SelfAttentionFeaturizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            LabelColumnName = labelColumnName,
            PretrainedModelPath = pretrainedModelPath,
        });

    /// <summary>Learns a small self-attention encoder, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings.</param>
    public static SelfAttentionFeaturizingEstimator SelfAttentionFeaturize(this TransformsCatalog.TextTransforms catalog,
        SelfAttentionFeaturizingEstimator.Options options)
        => new SelfAttentionFeaturizingEstimator(((IInternalCatalog)catalog).Environment, options);
}
