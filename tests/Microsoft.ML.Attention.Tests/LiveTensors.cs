using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Live native tensors of the whole process. TorchSharp's dispose-scope statistics count per thread, so they miss what
/// the scoring workers (Infrastructure/ConcurrentGroups) create; <c>torch.Tensor.TotalCount</c> counts every tensor
/// constructed and not yet disposed or finalized, on any thread. Tests run one at a time (no parallelization attribute).
/// </summary>
internal static class LiveTensors
{
    /// <summary>The count after the tensors that earlier code dropped have been finalized.</summary>
    public static long Settled()
    {
        // Finalizers can release further objects with finalizers: collect until the count stops changing.
        long count = -1;
        for (int i = 0; i < 10 && count != torch.Tensor.TotalCount; i++)
        {
            count = torch.Tensor.TotalCount;
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return torch.Tensor.TotalCount;
    }

    /// <summary>
    /// Runs <paramref name="pass"/> once to warm up (lazy state may keep tensors), then <paramref name="passes"/> more
    /// times, with libtorch allowed one thread and then two (scoring then runs on that many workers), and fails if any
    /// tensor is still alive after them. The count after the passes is read before any collection, so tensors dropped
    /// without being disposed count as leaked too.
    /// </summary>
    public static void AssertNoGrowth(Action pass, int passes, string what)
    {
        int threads = torch.get_num_threads();
        try
        {
            foreach (var workers in new[] { 1, 2 })
            {
                torch.set_num_threads(workers);
                pass();
                long before = Settled();
                for (int i = 0; i < passes; i++)
                    pass();
                long after = torch.Tensor.TotalCount;
                System.Console.WriteLine($"{what}, {workers} thread(s): {before} live tensors before, {after} after, {Settled()} settled");
                Assert.AreEqual(before, after, $"{after - before} tensors leaked over {passes} passes of {what} with {workers} thread(s)");
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }
}
