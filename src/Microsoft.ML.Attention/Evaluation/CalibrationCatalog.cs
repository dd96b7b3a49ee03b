using System;
using System.Collections.Generic;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// Calibration of a scored classifier's probabilities, beside ML.NET's <c>Evaluate</c>:
/// <c>mlContext.MulticlassClassification.EvaluateCalibration(scored)</c> and the binary one.
/// </summary>
public static class CalibrationCatalog
{
    /// <summary>The default number of equal-width confidence bins.</summary>
    public const int DefaultBins = 15;

    /// <summary>
    /// The calibration of a multiclass classifier's class probabilities: the confidence of a row is its largest
    /// probability, and the row is right when that class is its label. Rows with a missing label are skipped.
    /// </summary>
    /// <param name="catalog">The multiclass catalog.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="scoreColumnName">The class probabilities (a known-size vector of Single, one per key value, summing to 1).</param>
    /// <param name="bins">Bins of the reliability table.</param>
    public static CalibrationMetrics EvaluateCalibration(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = DefaultColumnNames.Score, int bins = DefaultBins)
    {
        var host = Host(catalog.GetEnvironment(), data, bins);
        var label = data.Schema.GetColumnOrNull(labelColumnName) ?? throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName);
        if (label.Type is not KeyDataViewType key)
            throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName, "key type", label.Type.ToString());
        var score = data.Schema.GetColumnOrNull(scoreColumnName) ?? throw host.ExceptSchemaMismatch(nameof(scoreColumnName), "score", scoreColumnName);
        if (score.Type is not VectorDataViewType { ItemType: NumberDataViewType item, Size: > 0 } vector || item != NumberDataViewType.Single
            || vector.Size != (int)key.Count)
            throw host.ExceptSchemaMismatch(nameof(scoreColumnName), "score", scoreColumnName,
                $"vector of Single of {key.Count} class probabilities", score.Type.ToString());
        var confidences = new List<double>();
        var correct = new List<bool>();
        using (var cursor = data.GetRowCursor(new[] { label, score }))
        {
            var readLabel = cursor.GetGetter<uint>(label);
            var readScore = cursor.GetGetter<VBuffer<float>>(score);
            uint labelValue = 0;
            var scores = default(VBuffer<float>);
            var dense = new float[vector.Size];
            while (cursor.MoveNext())
            {
                readLabel(ref labelValue);
                if (labelValue == 0)
                    continue;
                readScore(ref scores);
                scores.CopyTo(dense);
                int best = 0;
                for (int c = 1; c < dense.Length; c++)
                    if (dense[c] > dense[best])
                        best = c;
                confidences.Add(Confidence(host, dense[best], scoreColumnName));
                correct.Add(best == labelValue - 1);
            }
        }
        return new CalibrationMetrics(confidences.ToArray(), correct.ToArray(), bins);
    }

    /// <summary>
    /// The calibration of a binary classifier's probability: the confidence of a row is the probability of the class it
    /// predicts (p when p ≥ 0.5, else 1 − p), and the row is right when that class is its label.
    /// </summary>
    /// <param name="catalog">The binary catalog.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="probabilityColumnName">The probability of the positive class (Single).</param>
    /// <param name="bins">Bins of the reliability table.</param>
    public static CalibrationMetrics EvaluateCalibration(this BinaryClassificationCatalog catalog, IDataView data,
        string labelColumnName = DefaultColumnNames.Label, string probabilityColumnName = DefaultColumnNames.Probability, int bins = DefaultBins)
    {
        var host = Host(catalog.GetEnvironment(), data, bins);
        var label = data.Schema.GetColumnOrNull(labelColumnName) ?? throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName);
        if (label.Type is not BooleanDataViewType)
            throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName, "Boolean", label.Type.ToString());
        var probability = data.Schema.GetColumnOrNull(probabilityColumnName) ?? throw host.ExceptSchemaMismatch(nameof(probabilityColumnName), "probability", probabilityColumnName);
        if (probability.Type != NumberDataViewType.Single)
            throw host.ExceptSchemaMismatch(nameof(probabilityColumnName), "probability", probabilityColumnName, "Single", probability.Type.ToString());
        var confidences = new List<double>();
        var correct = new List<bool>();
        using (var cursor = data.GetRowCursor(new[] { label, probability }))
        {
            var readLabel = cursor.GetGetter<bool>(label);
            var readProbability = cursor.GetGetter<float>(probability);
            bool labelValue = false;
            float p = 0;
            while (cursor.MoveNext())
            {
                readLabel(ref labelValue);
                readProbability(ref p);
                bool positive = Confidence(host, p, probabilityColumnName) >= 0.5;
                confidences.Add(positive ? p : 1 - (double)p);
                correct.Add(positive == labelValue);
            }
        }
        return new CalibrationMetrics(confidences.ToArray(), correct.ToArray(), bins);
    }

    private static IHost Host(IHostEnvironment environment, IDataView data, int bins)
    {
        var host = environment.Register("Calibration");
        host.CheckValue(data, nameof(data));
        host.CheckUserArg(bins >= 1, nameof(bins), "must be at least 1");
        return host;
    }

    // A probability outside [0, 1] (a raw score column, say) would give a meaningless table: refused, naming the column.
    private static double Confidence(IHost host, float value, string column)
    {
        if (!(value >= 0 && value <= 1))
            throw host.Except($"Column '{column}' holds {value}, which is not a probability: expected values in [0, 1] (class probabilities, not raw scores).");
        return value;
    }
}
