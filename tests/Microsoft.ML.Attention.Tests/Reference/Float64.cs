using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;

namespace Microsoft.ML.Attention.Tests.Reference;

/// <summary>
/// Plain float64 arithmetic for reference computations written in the tests, independent of libtorch: vectors are
/// double[], matrices are row-major double[] with their sizes given.
/// </summary>
internal static class Float64
{
    /// <summary>Sets every parameter of <paramref name="module"/> to values drawn uniformly from [-scale, scale].</summary>
    public static void Randomize(torch.nn.Module module, int seed, double scale)
    {
        var random = new Random(seed);
        foreach (var (_, parameter) in module.named_parameters())
            Set(parameter, Enumerable.Range(0, (int)parameter.numel()).Select(_ => (random.NextDouble() * 2 - 1) * scale).ToArray());
    }

    /// <summary>Every parameter by checkpoint name, flattened row-major.</summary>
    public static Dictionary<string, double[]> Parameters(torch.nn.Module module)
        => module.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));

    /// <summary>W x + b for W [out, in] row-major.</summary>
    public static double[] Linear(double[] x, double[] weight, double[]? bias)
    {
        int inputs = x.Length, outputs = weight.Length / inputs;
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = bias?[o] ?? 0.0;
            for (int i = 0; i < inputs; i++)
                sum += weight[o * inputs + i] * x[i];
            y[o] = sum;
        }
        return y;
    }

    public static double[][] Linear(double[][] rows, double[] weight, double[]? bias) => rows.Select(x => Linear(x, weight, bias)).ToArray();

    /// <summary>Softmax over the allowed entries; disallowed ones get 0, and a row with none allowed is all 0.</summary>
    public static double[] Softmax(double[] scores, bool[]? allowed = null)
    {
        var ok = allowed ?? scores.Select(_ => true).ToArray();
        if (!ok.Contains(true))
            return new double[scores.Length];
        double max = scores.Where((_, j) => ok[j]).Max();
        var e = scores.Select((s, j) => ok[j] ? Math.Exp(s - max) : 0.0).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>(x - mean) / sqrt(biased variance + eps) * gain + bias.</summary>
    public static double[] LayerNorm(double[] x, double[] gain, double[] bias, double eps = 1e-5)
    {
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * gain[i] + bias[i]).ToArray();
    }

    /// <summary>GELU with the exact Gaussian CDF: x Φ(x).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

    /// <summary>The error function to about 1e-15: Taylor series near 0, continued fraction of erfc beyond 3.</summary>
    public static double Erf(double x)
    {
        if (x < 0)
            return -Erf(-x);
        if (x < 3.0)
        {
            double sum = 0.0, power = x;   // power = (-1)^n x^(2n+1) / n!
            for (int n = 0; n < 200; n++)
            {
                double term = power / (2 * n + 1);
                sum += term;
                if (Math.Abs(term) < 1e-17)
                    break;
                power *= -x * x / (n + 1);
            }
            return 2.0 / Math.Sqrt(Math.PI) * sum;
        }
        double f = x;
        for (int k = 60; k >= 1; k--)
            f = x + k / 2.0 / f;
        return 1.0 - Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }

    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    public static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();

    public static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    public static double[] Scale(double[] a, double s) => a.Select(v => v * s).ToArray();

    public static double[] Slice(double[] a, int start, int length) => a.Skip(start).Take(length).ToArray();

    /// <summary>Σ_j weights[j] rows[j].</summary>
    public static double[] Combine(double[] weights, double[][] rows)
    {
        var result = new double[rows[0].Length];
        for (int j = 0; j < rows.Length; j++)
            for (int d = 0; d < result.Length; d++)
                result[d] += weights[j] * rows[j][d];
        return result;
    }

    /// <summary>Row t of a [.., T, D] block, flattened, starting at <paramref name="offset"/>.</summary>
    public static double[][] Rows(double[] flat, int offset, int count, int width)
        => Enumerable.Range(0, count).Select(t => Slice(flat, offset + t * width, width)).ToArray();
}
