using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.Pretrained;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Run in a fresh process (tests/Microsoft.ML.Attention.LoadCheck <c>mmap-threshold finetune|pooling|none</c>), whose
/// heap has no free block of several MiB to serve a request before glibc chooses between the heap and a mapping: frees
/// a 12 MiB tensor, allocates a 6 MiB one, and says where the latter came from; with <c>finetune</c> or <c>pooling</c>,
/// once during the first epoch of a Fit (a tiny pretrained BERT fine-tuned, or a small attention pooling, started as a
/// user starts it) and once after the Fit.
/// </summary>
public static class MmapThresholdProbe
{
    /// <summary>"mapped" or "heap" per probe.</summary>
    public static string[] Run(string mode)
    {
        if (mode == "none")
            return new[] { Probe() };
        string? during = null;
        var ml = new MLContext(seed: 1);
        Action<Microsoft.ML.Attention.TrainingProgress> progress = _ => during ??= Probe();
        if (mode == "pooling")
        {
            var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(20, vectorSize: 4, seed: 77));
            ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
                {
                    InputColumnName = "Sequence", OutputColumnName = "Pooled", LabelColumnName = "Label", VectorSize = 4, NumberOfEpochs = 1,
                    Progress = progress,
                }))
                .Fit(data);
        }
        else if (mode == "finetune")
        {
            var folder = Path.Combine(Path.GetTempPath(), $"mmap-probe-{Environment.ProcessId}");
            try
            {
                new TinyBert().WriteFolder(folder);
                var texts = new[] { "the cat sat on the mat", "a dog ran", "the dogs sat", "a cat ran on the mat" };
                var data = ml.Data.LoadFromEnumerable(texts.Select((t, i) => new TextRow { Text = t, Label = i % 2 == 0 ? "a" : "b" }));
                ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.Text.ApplyPretrainedEncoder(new PretrainedEncoderEstimator.Options
                    {
                        InputColumnName = "Text", OutputColumnName = "Features", LabelColumnName = "Label", ModelPath = folder,
                        NumberOfEpochs = 1, ValidationFraction = 0, Progress = progress,
                    }))
                    .Fit(data);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        else
        {
            throw new ArgumentException($"Unknown mode '{mode}': finetune, pooling or none.");
        }
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

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();
}
