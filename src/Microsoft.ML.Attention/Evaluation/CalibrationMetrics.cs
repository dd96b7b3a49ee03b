using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention;

/// <summary>One bin of a reliability table: the rows whose confidence fell in (<see cref="Lower"/>, <see cref="Upper"/>].</summary>
/// <param name="Lower">The bin's lower edge (excluded, except 0 for the first bin).</param>
/// <param name="Upper">The bin's upper edge (included).</param>
/// <param name="Count">Rows in the bin.</param>
/// <param name="MeanConfidence">Mean confidence of those rows (NaN when the bin is empty).</param>
/// <param name="Accuracy">Share of those rows predicted right (NaN when the bin is empty).</param>
public sealed record ReliabilityBin(double Lower, double Upper, long Count, double MeanConfidence, double Accuracy);

/// <summary>
/// How far a classifier's confidence (the probability of its predicted class) can be trusted: the expected calibration
/// error and its reliability table (Guo et al. 2017), and what a confidence threshold leaves.
/// </summary>
public sealed class CalibrationMetrics
{
    private readonly double[] _confidences;
    private readonly bool[] _correct;

    internal CalibrationMetrics(double[] confidences, bool[] correct, int bins)
    {
        _confidences = confidences;
        _correct = correct;
        var table = new List<ReliabilityBin>(bins);
        double error = 0, worst = 0;
        for (int b = 0; b < bins; b++)
        {
            double lower = (double)b / bins, upper = (double)(b + 1) / bins;
            var members = Enumerable.Range(0, confidences.Length)
                .Where(i => (confidences[i] > lower || (b == 0 && confidences[i] >= 0)) && confidences[i] <= upper).ToArray();
            double confidence = members.Length == 0 ? double.NaN : members.Average(i => confidences[i]);
            double accuracy = members.Length == 0 ? double.NaN : members.Count(i => correct[i]) / (double)members.Length;
            table.Add(new ReliabilityBin(lower, upper, members.Length, confidence, accuracy));
            if (members.Length > 0)
            {
                error += members.Length / (double)confidences.Length * Math.Abs(accuracy - confidence);
                worst = Math.Max(worst, Math.Abs(accuracy - confidence));
            }
        }
        Bins = table;
        ExpectedCalibrationError = confidences.Length == 0 ? double.NaN : error;
        MaximumCalibrationError = confidences.Length == 0 ? double.NaN : worst;
        Accuracy = confidences.Length == 0 ? double.NaN : correct.Count(c => c) / (double)correct.Length;
    }

    /// <summary>Rows evaluated (rows with a label).</summary>
    public long Count => _confidences.Length;

    /// <summary>Share of rows whose predicted class was right.</summary>
    public double Accuracy { get; }

    /// <summary>Sum over the bins of the bin's share of rows times |accuracy − mean confidence|: 0 for a calibrated classifier.</summary>
    public double ExpectedCalibrationError { get; }

    /// <summary>The largest |accuracy − mean confidence| of a non-empty bin.</summary>
    public double MaximumCalibrationError { get; }

    /// <summary>The reliability table: equal-width confidence bins from 0 to 1.</summary>
    public IReadOnlyList<ReliabilityBin> Bins { get; }

    /// <summary>
    /// What answering only when the confidence is at least <paramref name="threshold"/> gives ("send the rest to a
    /// person"): the share of rows answered and the accuracy on them (NaN when none is answered).
    /// </summary>
    /// <param name="threshold">The confidence below which a row is not answered.</param>
    public (double Coverage, double Accuracy) AtThreshold(double threshold)
    {
        var answered = Enumerable.Range(0, _confidences.Length).Where(i => _confidences[i] >= threshold).ToArray();
        return (_confidences.Length == 0 ? double.NaN : answered.Length / (double)_confidences.Length,
            answered.Length == 0 ? double.NaN : answered.Count(i => _correct[i]) / (double)answered.Length);
    }
}
