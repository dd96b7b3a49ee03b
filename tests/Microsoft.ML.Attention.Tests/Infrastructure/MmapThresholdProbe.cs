using System.Runtime.InteropServices;
using Microsoft.ML.Attention.Tests.Pooling;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Run in a fresh process (tests/Microsoft.ML.Attention.LoadCheck <c>mmap-threshold train|none</c>), whose heap has
/// no free block of several MiB to serve a request before glibc chooses between the heap and a mapping: frees a 12 MiB
/// tensor, allocates a 6 MiB one, and says where the latter came from; with <c>train</c>, once during the first epoch
/// of a small attention pooling's Fit (training starts as a user starts it) and once after the Fit.
/// </summary>
public static class MmapThresholdProbe
{
    /// <summary>"mapped" or "heap" per probe.</summary>
    public static string[] Run(bool train)
    {
        if (!train)
            return new[] { Probe() };
        string? during = null;
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(20, vectorSize: 4, seed: 77));
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", LabelColumnName = "Label", VectorSize = 4, NumberOfEpochs = 1,
                Progress = _ => during ??= Probe(),
            }))
            .Fit(data);
        return new[] { during ?? "no progress reported", Probe() };
    }

    private static string Probe()
    {
        // Mapped and freed: glibc's dynamic threshold rises to 12 MiB, so a 6 MiB block would come from the heap.
        torch.ones(3L << 20).Dispose();
        long before = MappedBytes();
        using var medium = torch.ones(3L << 19);
        return MappedBytes() - before >= 6L << 20 ? "mapped" : "heap";
    }

    private static long MappedBytes() => (long)mallinfo2().hblkhd;

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();
}
