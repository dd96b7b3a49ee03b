using Microsoft.ML.Attention;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// The hierarchical attention network on ML.NET's classification catalogs:
/// <c>mlContext.MulticlassClassification.Trainers.HierarchicalAttention(...)</c> and
/// <c>mlContext.BinaryClassification.Trainers.HierarchicalAttention(...)</c>.
/// </summary>
public static class HierarchicalAttentionCatalog
{
    /// <summary>A document classifier over several classes; the label must be a key (use <c>MapValueToKey</c>).</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Name of the key-typed label column.</param>
    /// <param name="textColumnName">Name of the text column.</param>
    /// <param name="numberOfEpochs">Passes over the training documents, at most.</param>
    public static HierarchicalAttentionTrainer HierarchicalAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = HierarchicalAttentionTrainer.Defaults.LabelColumnName, string textColumnName = HierarchicalAttentionTrainer.Defaults.TextColumnName,
        int numberOfEpochs = HierarchicalAttentionTrainer.Defaults.NumberOfEpochs)
        => new HierarchicalAttentionTrainer(catalog.GetEnvironment(),
            new HierarchicalAttentionTrainer.Options { LabelColumnName = labelColumnName, TextColumnName = textColumnName, NumberOfEpochs = numberOfEpochs },
            ClassificationTask.Multiclass);

    /// <summary>A document classifier over several classes, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static HierarchicalAttentionTrainer HierarchicalAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        HierarchicalAttentionTrainer.Options options)
        => new HierarchicalAttentionTrainer(catalog.GetEnvironment(), options, ClassificationTask.Multiclass);

    /// <summary>A document classifier for a Boolean label.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="labelColumnName">Name of the Boolean label column.</param>
    /// <param name="textColumnName">Name of the text column.</param>
    /// <param name="numberOfEpochs">Passes over the training documents, at most.</param>
    public static HierarchicalAttentionTrainer HierarchicalAttention(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = HierarchicalAttentionTrainer.Defaults.LabelColumnName, string textColumnName = HierarchicalAttentionTrainer.Defaults.TextColumnName,
        int numberOfEpochs = HierarchicalAttentionTrainer.Defaults.NumberOfEpochs)
        => new HierarchicalAttentionTrainer(catalog.GetEnvironment(),
            new HierarchicalAttentionTrainer.Options { LabelColumnName = labelColumnName, TextColumnName = textColumnName, NumberOfEpochs = numberOfEpochs },
            ClassificationTask.Binary);

    /// <summary>A document classifier for a Boolean label, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static HierarchicalAttentionTrainer HierarchicalAttention(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        HierarchicalAttentionTrainer.Options options)
        => new HierarchicalAttentionTrainer(catalog.GetEnvironment(), options, ClassificationTask.Binary);
}
