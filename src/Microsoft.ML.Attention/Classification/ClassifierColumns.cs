using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Classification;

/// <summary>
/// ML.NET's standard output columns of a classifier, declared and filled in one place for every classifier of the
/// library: multiclass Score (class probabilities, class names as slot names) and PredictedLabel (a key with the class
/// names as key values); binary Score (the log-odds of true), Probability and PredictedLabel (Boolean).
/// </summary>
internal sealed record ClassifierColumns(string Score, string PredictedLabel, string Probability)
{
    /// <summary>ML.NET's default names: Score, PredictedLabel, Probability.</summary>
    public static ClassifierColumns Default => new(DefaultColumnNames.Score, DefaultColumnNames.PredictedLabel, DefaultColumnNames.Probability);

    public DataViewSchema.DetachedColumn[] OutputColumns(ClassificationTask task, ClassNames classes) => task == ClassificationTask.Multiclass
        ? new[]
        {
            new DataViewSchema.DetachedColumn(Score, new VectorDataViewType(NumberDataViewType.Single, classes.Count), classes.SlotNames()),
            new DataViewSchema.DetachedColumn(PredictedLabel, new KeyDataViewType(typeof(uint), classes.Count), classes.KeyValues()),
        }
        : new[]
        {
            new DataViewSchema.DetachedColumn(Score, NumberDataViewType.Single),
            new DataViewSchema.DetachedColumn(Probability, NumberDataViewType.Single),
            new DataViewSchema.DetachedColumn(PredictedLabel, BooleanDataViewType.Instance),
        };

    /// <summary>
    /// <see cref="Values"/> in an exported graph: the tensors of the columns of <see cref="OutputColumns"/>, in order,
    /// from the class probabilities [N, classes].
    /// </summary>
    public static IEnumerable<string> Export(ExportGraph g, ClassificationTask task, string probabilities)
    {
        string Column(long index) => g.Op("Slice", new[] { probabilities, g.Constant(new long[] { index }, 1), g.Constant(new long[] { index + 1 }, 1), g.Constant(new long[] { 1 }, 1) });
        if (task == ClassificationTask.Multiclass)
        {
            yield return probabilities;
            var best = g.Op("ArgMax", new[] { probabilities }, ("axis", 1L), ("keepdims", 1L));
            yield return g.Op("Cast", new[] { g.Add(best, g.Constant(new long[] { 1 })) }, ("to", 12L));   // key: class index + 1, uint32
        }
        else
        {
            // As Values: the margin is the log-odds of true, each probability at least 1e-30.
            var negative = g.Max(Column(0), g.Scalar(1e-30f));
            var positive = g.Max(Column(1), g.Scalar(1e-30f));
            yield return g.Sub(g.Unary("Log", positive), g.Unary("Log", negative));
            yield return Column(1);
            yield return g.Op("Greater", new[] { Column(1), Column(0) });
        }
    }

    /// <summary>Per-column arrays of per-row values from each row's class probabilities, in the order of <see cref="OutputColumns"/>.</summary>
    public Array[] Values(ClassificationTask task, float[][] probabilities) => task == ClassificationTask.Multiclass
        ? new Array[] { probabilities, probabilities.Select(p => (uint)Array.IndexOf(p, p.Max()) + 1).ToArray() }
        : new Array[]
        {
            // Two classes: false, true. The margin is the log-odds of true.
            probabilities.Select(p => (float)(Math.Log(Math.Max(p[1], 1e-30)) - Math.Log(Math.Max(p[0], 1e-30)))).ToArray(),
            probabilities.Select(p => p[1]).ToArray(),
            probabilities.Select(p => p[1] > p[0]).ToArray(),
        };
}
