using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Defaults = Microsoft.ML.Attention.DistillationAugmentation.Defaults;

namespace Microsoft.ML;

/// <summary>
/// Knowledge distillation's data on <see cref="DataOperationsCatalog"/>: <c>mlContext.Data.AugmentForDistillation(...)</c>,
/// beside <c>LoadFromEnumerable</c>, <c>TrainTestSplit</c> and <c>Cache</c>.
/// </summary>
public static class DistillationCatalog
{
    /// <summary>
    /// A larger teacher-scored view for a distilled student, from the labelled rows alone: every row of
    /// <paramref name="data"/>, each followed by up to <paramref name="copiesPerRow"/> augmented copies of its text (words
    /// masked, swapped for the teacher's nearest words, n-grams kept; Tang et al. 2019) whose label is missing, each row
    /// with <paramref name="teacher"/>'s score column. Pass the column to the student's <c>TeacherScoreColumnName</c>. The
    /// text column carries the teacher's word vectors, which a student trained on the view starts from
    /// (<see cref="DistillationAugmentation.Options.AttachTeacherWordVectors"/>).
    /// </summary>
    /// <param name="catalog">The data operations catalog.</param>
    /// <param name="teacher">The fitted teacher pipeline: reads the text column, writes <paramref name="teacherScoreColumnName"/>
    /// and (for swaps without a word-vector file) the text vectors of <see cref="DistillationAugmentation.Options.TeacherVectorColumnName"/>.</param>
    /// <param name="data">The labelled rows.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="labelColumnName">The label column (key, String, Single or Double), or null for none.</param>
    /// <param name="teacherScoreColumnName">The teacher's score column.</param>
    /// <param name="copiesPerRow">Copies drawn per row (duplicates are dropped).</param>
    /// <param name="maximumRows">Rows of the result at most, originals included.</param>
    /// <returns>A view of the text, label and teacher score columns, made as it is read (see <see cref="DistillationAugmentation"/>).</returns>
    public static IDataView AugmentForDistillation(this DataOperationsCatalog catalog, ITransformer teacher, IDataView data,
        string textColumnName = Defaults.TextColumnName, string? labelColumnName = Defaults.LabelColumnName,
        string teacherScoreColumnName = Defaults.TeacherScoreColumnName, int copiesPerRow = Defaults.CopiesPerRow,
        int maximumRows = Defaults.MaximumRows)
        => DistillationAugmentation.Apply(((IInternalCatalog)catalog).Environment, teacher, data, new DistillationAugmentation.Options
        {
            TextColumnName = textColumnName,
            LabelColumnName = labelColumnName,
            TeacherScoreColumnName = teacherScoreColumnName,
            CopiesPerRow = copiesPerRow,
            MaximumRows = maximumRows,
        });

    /// <summary>The teacher-scored view of <paramref name="data"/> and its augmented copies, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The data operations catalog.</param>
    /// <param name="teacher">The fitted teacher pipeline.</param>
    /// <param name="data">The labelled rows.</param>
    /// <param name="options">The settings.</param>
    /// <returns>A view of the text, label and teacher score columns, made as it is read.</returns>
    public static IDataView AugmentForDistillation(this DataOperationsCatalog catalog, ITransformer teacher, IDataView data,
        DistillationAugmentation.Options options)
        => DistillationAugmentation.Apply(((IInternalCatalog)catalog).Environment, teacher, data, options);
}
