using System;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Once a pretrained encoder's fine-tuning has started, glibc's mmap threshold is fixed: a block of a few MiB is still
/// mapped from the system after a larger mapped block was freed, where glibc's dynamic threshold would have risen and
/// taken it from the heap (whose holes training's batches of other lengths then fragment). When training ends the
/// threshold is raised to glibc's largest, so scoring takes its blocks from the heap again. The library's own networks
/// leave glibc's threshold alone (fresh pages for every large block doubled their training time). The AppContext
/// setting chooses the threshold.
/// </summary>
[TestClass]
public sealed class TrainingMmapThresholdTests
{
    [TestMethod]
    public void LargeBlocksStayMappedWhileFineTuningAfterALargerOneIsFreed()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null)
            Assert.Inconclusive("glibc on Linux, with the threshold not set by the environment");
        // In fresh processes: this one's heap, fragmented by earlier tests, may serve 6 MiB from a free block either way.
        CollectionAssert.AreEqual(new[] { "heap" }, FreshProcess.Run(new[] { "mmap-threshold", "none" }),
            "before any training, glibc's own threshold takes the block from the heap (the probe can tell the two apart)");
        CollectionAssert.AreEqual(new[] { "mapped", "heap" }, FreshProcess.Run(new[] { "mmap-threshold", "finetune" }),
            "during a fine-tuning Fit the block is mapped from the system; after it, scoring's blocks come from the heap again");
    }

    [TestMethod]
    public void TheLibrarysOwnNetworksLeaveTheThresholdAlone()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null)
            Assert.Inconclusive("glibc on Linux, with the threshold not set by the environment");
        CollectionAssert.AreEqual(new[] { "heap", "heap" }, FreshProcess.Run(new[] { "mmap-threshold", "pooling" }),
            "an attention pooling's Fit keeps glibc's dynamic threshold, during the Fit and after it");
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
            GlibcMalloc.AfterTraining();
        }
        finally
        {
            AppContext.SetData(GlibcMalloc.TrainingMmapThresholdSetting, null);
        }
        GlibcMalloc.BeforeTraining();
        Assert.AreEqual(GlibcMalloc.DefaultTrainingMmapThreshold, GlibcMalloc.MmapThreshold, "back to the default once the setting is gone");
        GlibcMalloc.AfterTraining();
        Assert.AreEqual(32 << 20, GlibcMalloc.MmapThreshold, "raised when training ends");
    }

    /// <summary>Fine-tunings under way at once share the threshold: it stays fixed until the last one ends.</summary>
    [TestMethod]
    public void ConcurrentFineTuningsKeepTheThresholdFixedUntilTheLastEnds()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") != null)
            Assert.Inconclusive("glibc on Linux, with the threshold not set by the environment");
        GlibcMalloc.BeforeTraining();
        GlibcMalloc.BeforeTraining();
        GlibcMalloc.AfterTraining();
        Assert.AreEqual(GlibcMalloc.DefaultTrainingMmapThreshold, GlibcMalloc.MmapThreshold, "still fixed while one fine-tuning runs");
        GlibcMalloc.AfterTraining();
        Assert.AreEqual(32 << 20, GlibcMalloc.MmapThreshold, "raised when the last one ends");
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
}
