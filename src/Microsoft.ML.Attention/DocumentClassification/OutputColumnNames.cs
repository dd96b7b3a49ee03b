using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// The text column and the output columns of a document classifier, and how scored values fill them.
/// Multiclass: Score, PredictedLabel. Binary: Score, Probability, PredictedLabel. Optional for both:
/// sentence weights, and word weights with the number of words of each sentence.
/// </summary>
internal sealed record OutputColumnNames(string Text, string Score, string PredictedLabel, string Probability,
    string? SentenceWeights, string? WordWeights, string? SentenceLengths)
{
    /// <summary>The standard classification columns among these.</summary>
    public ClassifierColumns Classifier => new(Score, PredictedLabel, Probability);

    public DataViewSchema.DetachedColumn[] OutputColumns(ClassificationTask task, ClassNames classes)
    {
        var columns = new List<DataViewSchema.DetachedColumn>(Classifier.OutputColumns(task, classes));
        if (SentenceWeights != null)
            columns.Add(new DataViewSchema.DetachedColumn(SentenceWeights, new VectorDataViewType(NumberDataViewType.Single)));
        if (WordWeights != null)
            columns.Add(new DataViewSchema.DetachedColumn(WordWeights, new VectorDataViewType(NumberDataViewType.Single)));
        if (SentenceLengths != null)
            columns.Add(new DataViewSchema.DetachedColumn(SentenceLengths, new VectorDataViewType(NumberDataViewType.Single)));
        return columns.ToArray();
    }

    /// <summary>Per-column arrays of per-row values, in the order of <see cref="OutputColumns"/>.</summary>
    public Array[] Values(ClassificationTask task, float[][] probabilities, float[][] sentenceWeights, float[][][] wordWeights)
    {
        var values = new List<Array>(Classifier.Values(task, probabilities));
        if (SentenceWeights != null)
            values.Add(sentenceWeights);
        if (WordWeights != null)
            values.Add(wordWeights.Select(document => document.SelectMany(sentence => sentence).ToArray()).ToArray());
        if (SentenceLengths != null)
            values.Add(wordWeights.Select(document => document.Select(sentence => (float)sentence.Length).ToArray()).ToArray());
        return values.ToArray();
    }

    // *** Binary format ***
    // int: id of the text column name
    // int: id of the score column name
    // int: id of the predicted label column name
    // int: id of the probability column name
    // int: id of the sentence weights column name, or -1
    // int: id of the word weights column name, or -1
    // int: id of the sentence lengths column name, or -1
    public void Save(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(Text);
        ctx.SaveNonEmptyString(Score);
        ctx.SaveNonEmptyString(PredictedLabel);
        ctx.SaveNonEmptyString(Probability);
        ctx.SaveStringOrNull(SentenceWeights);
        ctx.SaveStringOrNull(WordWeights);
        ctx.SaveStringOrNull(SentenceLengths);
    }

    public static OutputColumnNames Load(ModelLoadContext ctx) => new OutputColumnNames(
        ModelFormat.ColumnName(ctx, "text")!, ModelFormat.ColumnName(ctx, "score")!, ModelFormat.ColumnName(ctx, "predicted label")!,
        ModelFormat.ColumnName(ctx, "probability")!, ModelFormat.ColumnName(ctx, "sentence weights", optional: true),
        ModelFormat.ColumnName(ctx, "word weights", optional: true), ModelFormat.ColumnName(ctx, "sentence lengths", optional: true));
}
