using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Temperature scaling (Guo et al. 2017): the one number T that, dividing a classifier's logits, makes its probabilities
/// on held-out rows most likely (least negative log-likelihood). Predicted classes do not change, since dividing every
/// logit of a row by the same positive T keeps their order.
/// </summary>
internal static class TemperatureScaling
{
    // T is searched as log T in this range (T from about 0.02 to 55), wide enough for any trained classifier.
    private const double LowestLogTemperature = -4, HighestLogTemperature = 4;

    /// <summary>
    /// The temperature minimizing the mean negative log-likelihood of <paramref name="labels"/> (class indexes; rows
    /// with a negative label are skipped) under softmax(<paramref name="logits"/> / T); 1 when no row has a label.
    /// </summary>
    public static double Fit(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        var rows = Enumerable.Range(0, logits.Count).Where(i => labels[i] >= 0).ToArray();
        if (rows.Length == 0)
            return 1;
        double Loss(double logTemperature)
        {
            double scale = Math.Exp(-logTemperature), sum = 0;
            foreach (int i in rows)
            {
                var z = logits[i];
                double max = z.Max() * scale, total = 0;
                foreach (var v in z)
                    total += Math.Exp(v * scale - max);
                sum += max + Math.Log(total) - z[labels[i]] * scale;
            }
            return sum / rows.Length;
        }
        // The loss is convex in 1/T, so unimodal in log T: golden-section search.
        double a = LowestLogTemperature, b = HighestLogTemperature, ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a), fc = Loss(c), fd = Loss(d);
        for (int step = 0; step < 80 && b - a > 1e-7; step++)
        {
            if (fc <= fd)
            {
                b = d; d = c; fd = fc;
                c = b - ratio * (b - a); fc = Loss(c);
            }
            else
            {
                a = c; c = d; fc = fd;
                d = a + ratio * (b - a); fd = Loss(d);
            }
        }
        return Math.Exp((a + b) / 2);
    }
}
