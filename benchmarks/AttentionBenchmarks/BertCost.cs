using System.Collections.Generic;

namespace AttentionBenchmarks;

/// <summary>
/// Floating-point operations of a BERT encoder's forward pass, to express a featurization speed as a share of the
/// machine's matrix-multiply peak. Only the matrix products are counted (2 FLOPs per multiply-add), over the texts'
/// real tokens, so padding inside a batch is work the counted figure does not credit.
/// </summary>
public static class BertCost
{
    /// <summary>
    /// The matrix-multiply peak of this machine in this run, in GFLOP/s: libtorch sgemm of 2048 x 2048 matrices on the
    /// threads set (ENGINEERING.md's ~140 GFLOP/s was measured on another day; PyTorch's reference measured 258 on
    /// 2026-12-02), measured once, after a warm-up product.
    /// </summary>
    public static double MachinePeakGflops => _peak ??= MeasurePeak();

    private static double? _peak;

    private static double MeasurePeak()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var a = TorchSharp.torch.randn(2048, 2048);
        var b = TorchSharp.torch.randn(2048, 2048);
        a.matmul(b);
        const int repeats = 10;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
            a.matmul(b);
        return 2.0 * 2048 * 2048 * 2048 * repeats / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>
    /// FLOPs of one forward pass over texts of the given token counts ([CLS] and [SEP] included). Per token and layer:
    /// the four hidden x hidden projections (query, key, value, attention output) and the two feed-forward products,
    /// 2 x (4 x hidden² + 2 x hidden x intermediate); plus attention, whose scores (Q·Kᵀ) and weighted sum (weights·V)
    /// each cost T x hidden multiply-adds per token for a text of T tokens: 2 x 2 x T x hidden.
    /// Defaults are all-MiniLM-L6-v2's: 6 layers, width 384, feed-forward 1536 (about 21 MFLOP per token plus attention).
    /// </summary>
    public static double Flops(IEnumerable<int> tokenCounts, int layers = 6, int hidden = 384, int intermediate = 1536)
    {
        double perToken = 2.0 * layers * (4.0 * hidden * hidden + 2.0 * hidden * intermediate);
        double attentionPerTokenSquared = 2.0 * 2.0 * layers * hidden;
        double total = 0;
        foreach (int t in tokenCounts)
        {
            total += t * perToken + (double)t * t * attentionPerTokenSquared;
        }
        return total;
    }

    /// <summary>GFLOP/s reached and its share of <see cref="MachinePeakGflops"/>, as "N GFLOP/s (P% of peak)".</summary>
    public static string Describe(double flops, double seconds)
    {
        double gflops = flops / seconds / 1e9;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{gflops:F0} GFLOP/s ({gflops / MachinePeakGflops * 100:F0}% of this machine's {MachinePeakGflops:F0} GFLOP/s sgemm peak, measured in this run)");
    }
}
