using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Data;
using Defaults = Microsoft.ML.Attention.PretrainedTextClassifierTrainer.Defaults;
using TrainingDefaults = Microsoft.ML.Attention.PretrainedEncoderEstimator.Defaults;

namespace Microsoft.ML;

/// <summary>
/// Fine-tuning a pretrained BERT, DistilBERT or XLM-RoBERTa encoder for text classification, on ML.NET's classification catalogs:
/// <c>mlContext.MulticlassClassification.Trainers.PretrainedTextClassifier(...)</c> and
/// <c>mlContext.BinaryClassification.Trainers.PretrainedTextClassifier(...)</c>.
/// </summary>
public static class PretrainedTextClassifierCatalog
{
    /// <summary>
    /// Fine-tunes a pretrained BERT, DistilBERT or XLM-RoBERTa encoder to classify texts into several classes and keeps its
    /// classification head; the label must be a key (use <c>MapValueToKey</c>).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Name of the key-typed label column.</param>
    /// <param name="textColumnName">Name of the text column.</param>
    /// <param name="modelPath">A Hugging Face or sentence-transformers model folder, or an .onnx file with its tokenizer's files (vocab.txt or sentencepiece.bpe.model) beside it.</param>
    /// <param name="numberOfEpochs">Fine-tuning epochs, at most (early stopping may end sooner).</param>
    /// <param name="batchSize">Texts per fine-tuning step.</param>
    /// <param name="learningRate">Peak learning rate of fine-tuning (AdamW, after 10% warm-up).</param>
    public static PretrainedTextClassifierTrainer PretrainedTextClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string textColumnName = Defaults.TextColumnName, string modelPath = "",
        int numberOfEpochs = TrainingDefaults.NumberOfEpochs, int batchSize = TrainingDefaults.BatchSize, double learningRate = TrainingDefaults.LearningRate)
        => new PretrainedTextClassifierTrainer(catalog.GetEnvironment(), Options(labelColumnName, textColumnName, modelPath, numberOfEpochs, batchSize, learningRate),
            ClassificationTask.Multiclass);

    /// <summary>Fine-tunes a pretrained encoder to classify texts into several classes, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static PretrainedTextClassifierTrainer PretrainedTextClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        PretrainedTextClassifierTrainer.Options options)
        => new PretrainedTextClassifierTrainer(catalog.GetEnvironment(), options, ClassificationTask.Multiclass);

    /// <summary>Fine-tunes a pretrained BERT, DistilBERT or XLM-RoBERTa encoder to classify texts by a Boolean label and keeps its classification head.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="labelColumnName">Name of the Boolean label column.</param>
    /// <param name="textColumnName">Name of the text column.</param>
    /// <param name="modelPath">A Hugging Face or sentence-transformers model folder, or an .onnx file with its tokenizer's files (vocab.txt or sentencepiece.bpe.model) beside it.</param>
    /// <param name="numberOfEpochs">Fine-tuning epochs, at most (early stopping may end sooner).</param>
    /// <param name="batchSize">Texts per fine-tuning step.</param>
    /// <param name="learningRate">Peak learning rate of fine-tuning (AdamW, after 10% warm-up).</param>
    public static PretrainedTextClassifierTrainer PretrainedTextClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = Defaults.LabelColumnName, string textColumnName = Defaults.TextColumnName, string modelPath = "",
        int numberOfEpochs = TrainingDefaults.NumberOfEpochs, int batchSize = TrainingDefaults.BatchSize, double learningRate = TrainingDefaults.LearningRate)
        => new PretrainedTextClassifierTrainer(catalog.GetEnvironment(), Options(labelColumnName, textColumnName, modelPath, numberOfEpochs, batchSize, learningRate),
            ClassificationTask.Binary);

    /// <summary>Fine-tunes a pretrained encoder to classify texts by a Boolean label, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static PretrainedTextClassifierTrainer PretrainedTextClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        PretrainedTextClassifierTrainer.Options options)
        => new PretrainedTextClassifierTrainer(catalog.GetEnvironment(), options, ClassificationTask.Binary);

    private static PretrainedTextClassifierTrainer.Options Options(string labelColumnName, string textColumnName, string modelPath,
        int numberOfEpochs, int batchSize, double learningRate) => new()
        {
            LabelColumnName = labelColumnName,
            TextColumnName = textColumnName,
            ModelPath = modelPath,
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        };
}
