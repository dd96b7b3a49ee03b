using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The rows a Fit learns from: one item per row with a usable label, read once, and its target. With a teacher, rows
/// without a label are kept (target NaN) and <paramref name="Teacher"/> holds every row's teacher logits.
/// </summary>
internal sealed record LabeledRows<TRow>(List<TRow> Rows, float[] Targets, int Skipped, float[][]? Teacher = null)
{
    /// <summary>Rows with a label (all rows without a teacher).</summary>
    public int LabeledCount => Targets.Count(t => !float.IsNaN(t));
}

/// <summary>
/// The steps every Fit of this library takes before its model-specific training: seed and threads, reading the
/// labeled rows once, and the validation split. Their order fixes how the seed's random numbers are consumed.
/// </summary>
internal static class TrainingRun
{
    /// <summary>
    /// Chooses the seed (the option, else the next number of the MLContext) and starts the fit's own generator and
    /// thread count on the calling thread; the Fit disposes the result when it ends.
    /// </summary>
    public static FitScope Begin(IHost host, AttentionTrainingOptions options)
        => new(options.Seed ?? host.Rand.Next(), options.NumberOfThreads);

    /// <summary>
    /// Reads every row of <paramref name="data"/> once; rows whose label is missing (NaN, key 0) are skipped and counted
    /// in a warning. Without a label every row is kept with target 0. With a <paramref name="teacher"/> column (read in the
    /// same pass), rows whose label is missing are kept with target NaN, to learn from the teacher alone.
    /// </summary>
    public static LabeledRows<TRow> Read<TRow>(IHost host, IChannel channel, IDataView data, IEnumerable<DataViewSchema.Column> columns,
        LabelColumn? label, Func<DataViewRow, Func<TRow>> reader, string role, TeacherScores? teacher = null)
    {
        var rows = new List<TRow>();
        var targets = new List<float>();
        var scores = teacher == null ? null : new List<float[]>();
        int skipped = 0;
        var active = label == null ? columns.ToList() : columns.Append(label.Column).ToList();
        if (teacher != null)
            active.Add(teacher.Column);
        using (var cursor = data.GetRowCursor(active))
        {
            var readRow = reader(cursor);
            var readLabel = label?.Reader(cursor);
            var readTeacher = teacher?.Reader(host, cursor);
            long index = 0;
            while (cursor.MoveNext())
            {
                host.CheckAlive();
                var target = readLabel?.Invoke() ?? 0;
                if (float.IsNaN(target) && readTeacher == null)
                {
                    skipped++;
                    index++;
                    continue;
                }
                scores?.Add(readTeacher!(index));
                rows.Add(readRow());
                targets.Add(target);
                index++;
            }
        }
        if (skipped > 0)
            channel.Warning($"Skipped {skipped} {role} rows whose label in column '{label!.Column.Name}' is missing.");
        var read = new LabeledRows<TRow>(rows, targets.ToArray(), skipped, scores == null ? null : teacher!.ToLogits(scores));
        if (teacher != null)
            channel.Info($"Distillation: teacher scores from column '{teacher.Column.Name}' for {rows.Count} {role} rows, {rows.Count - read.LabeledCount} of them without a label.");
        return read;
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of <paramref name="count"/> rows, chosen by a shuffle seeded with
    /// <paramref name="seed"/>; when that would leave nothing to train on, nothing is held out.
    /// </summary>
    public static (int[] Train, int[] Validation) Split(int count, double fraction, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int held = (int)Math.Floor(count * fraction);
        if (held >= count)
            held = 0;
        return (order.Skip(held).ToArray(), order.Take(held).ToArray());
    }

    /// <summary>
    /// Refuses training data a text component cannot learn from: no rows (or no labeled rows), or a classification
    /// label with a single class.
    /// </summary>
    public static void CheckTargets(IExceptionContext host, int rows, float[] targets, LabelColumn? label, string textColumn)
    {
        if (rows == 0)
            throw host.Except(label == null ? $"The training data has no rows in column '{textColumn}'."
                : $"The training data has no rows with a label in column '{label.Column.Name}'.");
        if (label != null && !label.IsRegression && targets.Where(t => !float.IsNaN(t)).Distinct().Count() < 2)
            throw host.Except($"Column '{label.Column.Name}' holds a single class in the training data; a classifier needs at least two.");
    }

    /// <summary>Logs how many texts were longer than a window and how many tokens a head-and-tail cut did not read.</summary>
    public static void ReportLongTexts(IChannel channel, IReadOnlyList<int> droppedTokens, int maximumTokens, LongTextHandling longText)
    {
        var cut = droppedTokens.Count(d => d > 0);
        if (cut > 0)
            channel.Info($"{cut} of {droppedTokens.Count} texts are longer than MaximumTokens = {maximumTokens}: {droppedTokens.Sum(d => (long)d)} tokens " +
                $"in their middles are not read (LongText = {longText}; SlidingWindow reads everything).");
    }

    /// <summary>Describes the task for the log: "regression", "N classes".</summary>
    public static string Describe(LabelColumn label) => label.IsRegression ? "regression" : $"{label.Classes} classes";
}
