using System;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The operations of a Transformer encoder in double precision, written from their definitions, for the tests'
/// hand references (<see cref="TinyBert"/>, <see cref="TinyDistilBert"/>). Weights are row-major [out, in] as torch stores them.
/// </summary>
internal static class DoubleMath
{
    public static double[] Linear(double[] input, double[] weight, double[] bias)
        => Enumerable.Range(0, bias.Length).Select(o => bias[o] + Enumerable.Range(0, input.Length).Sum(i => weight[o * input.Length + i] * input[i])).ToArray();

    public static double[] LayerNorm(double[] x, double[] gain, double[] bias, double epsilon)
    {
        var mean = x.Average();
        var variance = x.Average(v => (v - mean) * (v - mean));
        return x.Select((v, d) => (v - mean) / Math.Sqrt(variance + epsilon) * gain[d] + bias[d]).ToArray();
    }

    public static double[] Add(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    /// <summary>Softmax(q k^T / sqrt(head size)) v per head over every token (no padding), heads side by side: [T][width].</summary>
    public static double[][] Attention(double[][] q, double[][] k, double[][] v, int heads)
    {
        int width = q[0].Length, size = width / heads;
        var context = q.Select(_ => new double[width]).ToArray();
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < q.Length; i++)
            {
                var scores = Enumerable.Range(0, k.Length).Select(j => Enumerable.Range(h * size, size).Sum(d => q[i][d] * k[j][d]) / Math.Sqrt(size)).ToArray();
                var max = scores.Max();
                var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
                var total = exp.Sum();
                for (int j = 0; j < k.Length; j++)
                    for (int d = h * size; d < (h + 1) * size; d++)
                        context[i][d] += exp[j] / total * v[j][d];
            }
        }
        return context;
    }

    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    // erf by its Maclaurin series (exact to about 1e-13 for |x| < 4); beyond, erf is ±1 within 2e-8.
    private static double Erf(double x)
    {
        if (Math.Abs(x) >= 4)
            return Math.Sign(x);
        double term = x, sum = x;
        for (int n = 1; n < 80; n++)
        {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
