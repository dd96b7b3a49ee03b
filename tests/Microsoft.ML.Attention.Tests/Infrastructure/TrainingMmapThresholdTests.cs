using System;
using System.Runtime.InteropServices;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Once training has started, glibc's mmap threshold is fixed: a block of a few MiB is still mapped from the system
/// after a larger mapped block was freed, where glibc's dynamic threshold would have risen and taken it from the heap
/// (whose holes training's batches of other lengths then fragment).
/// </summary>
[TestClass]
public sealed class TrainingMmapThresholdTests
{
    [TestMethod]
    public void LargeBlocksStayMappedAfterALargerOneIsFreed()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null)
            Assert.Inconclusive("glibc on Linux, with the threshold not set by the environment");
        GlibcMalloc.BeforeTraining();
        Assert.AreEqual(GlibcMalloc.DefaultTrainingMmapThreshold, GlibcMalloc.MmapThreshold, "the library fixed the threshold");

        // 12 MiB mapped and freed: with the dynamic threshold glibc would now take blocks up to 12 MiB from the heap.
        torch.ones(3L << 20).Dispose();
        long mappedBefore = (long)mallinfo2().hblkhd;
        using var medium = torch.ones(3L << 19); // 6 MiB
        long mappedAfter = (long)mallinfo2().hblkhd;
        Assert.IsTrue(mappedAfter - mappedBefore >= 6L << 20,
            $"a 6 MiB tensor is mapped from the system (mapped bytes {mappedBefore} -> {mappedAfter})");
    }

    [TestMethod]
    public void TheSettingChoosesTheThreshold()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null)
            Assert.Inconclusive("glibc on Linux, with the threshold not set by the environment");
        // As a project's RuntimeHostConfigurationOption reaches AppContext: a string.
        AppContext.SetData(GlibcMalloc.TrainingMmapThresholdSetting, "2097152");
        try
        {
            GlibcMalloc.BeforeTraining();
            Assert.AreEqual(2 << 20, GlibcMalloc.MmapThreshold);
        }
        finally
        {
            AppContext.SetData(GlibcMalloc.TrainingMmapThresholdSetting, null);
        }
        GlibcMalloc.BeforeTraining();
        Assert.AreEqual(GlibcMalloc.DefaultTrainingMmapThreshold, GlibcMalloc.MmapThreshold, "back to the default once the setting is gone");
    }

    [TestMethod]
    public void ASettingThatIsNotANumberOfBytesIsNamedInTheError()
    {
        foreach (var value in new object[] { "4 MiB", -1, 64L << 20 })
        {
            AppContext.SetData(GlibcMalloc.TrainingMmapThresholdSetting, value);
            try
            {
                var error = Assert.ThrowsExactly<InvalidOperationException>(GlibcMalloc.BeforeTraining);
                StringAssert.Contains(error.Message, GlibcMalloc.TrainingMmapThresholdSetting);
                StringAssert.Contains(error.Message, $"'{value}'");
            }
            finally
            {
                AppContext.SetData(GlibcMalloc.TrainingMmapThresholdSetting, null);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();
}
