using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Defaults = Microsoft.ML.Attention.PretrainedEncoderEstimator.Defaults;

namespace Microsoft.ML;

/// <summary>
/// Pretrained sentence encoders on <see cref="TransformsCatalog.TextTransforms"/>:
/// <c>mlContext.Transforms.Text.ApplyPretrainedEncoder(...)</c>, beside <c>ApplyWordEmbedding</c> and <c>FeaturizeText</c>.
/// </summary>
public static class PretrainedEncoderCatalog
{
    /// <summary>
    /// Turns text into sentence embeddings with a pretrained BERT, DistilBERT or XLM-RoBERTa encoder read from local files: fine-tuned on
    /// <paramref name="labelColumnName"/>, or frozen when it is null. The encoder's shape, vocabulary, tokenization and
    /// (for a sentence-transformers folder) pooling and normalization come from the model.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the output vector column.</param>
    /// <param name="inputColumnName">Name of the text column.</param>
    /// <param name="modelPath">A Hugging Face or sentence-transformers model folder, or an .onnx file with its tokenizer's files (vocab.txt or sentencepiece.bpe.model) beside it.</param>
    /// <param name="labelColumnName">Label to fine-tune on (key, Boolean or Single); null keeps the encoder frozen.</param>
    /// <param name="numberOfEpochs">Fine-tuning epochs, at most (early stopping may end sooner).</param>
    /// <param name="batchSize">Texts per fine-tuning step.</param>
    /// <param name="learningRate">Peak learning rate of fine-tuning (AdamW, after 10% warm-up).</param>
    public static PretrainedEncoderEstimator ApplyPretrainedEncoder(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string inputColumnName, string modelPath, string? labelColumnName = null,
        int numberOfEpochs = Defaults.NumberOfEpochs, int batchSize = Defaults.BatchSize, double learningRate = Defaults.LearningRate)
        => new PretrainedEncoderEstimator(((IInternalCatalog)catalog).Environment, new PretrainedEncoderEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelPath,
            LabelColumnName = labelColumnName,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });

    /// <summary>Turns text into sentence embeddings with a pretrained encoder, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings.</param>
    public static PretrainedEncoderEstimator ApplyPretrainedEncoder(this TransformsCatalog.TextTransforms catalog,
        PretrainedEncoderEstimator.Options options)
        => new PretrainedEncoderEstimator(((IInternalCatalog)catalog).Environment, options);
}
