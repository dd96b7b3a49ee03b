using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using TorchSharp;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Scores the groups of a batch on as many threads as libtorch may use, each thread running libtorch single-threaded.
/// </summary>
/// <remarks>
/// Why: scoring is mostly small, latency-bound operations (recurrent steps, attention over short rows) that libtorch's
/// intra-op threads barely speed up, so one group at a time leaves cores idle. libtorch (OpenMP) keeps its thread
/// count per calling thread, so each worker asks for one thread; the process-wide default that threads starting
/// later inherit is restored when the groups are done. Each group's result does not depend on which worker scored it.
/// </remarks>
internal static class ConcurrentGroups
{
    /// <param name="groups">Groups of row indices; <paramref name="score"/> must only write the rows of its group.</param>
    /// <param name="score">Scores one group; runs on a worker thread with gradients off.</param>
    public static void ForEach(IReadOnlyList<int[]> groups, Action<int[]> score)
    {
        int threads = torch.get_num_threads();
        int workers = Math.Min(threads, groups.Count);
        if (workers <= 1)
        {
            using var noGrad = torch.no_grad();
            foreach (var group in groups)
                score(group);
            return;
        }

        int next = -1;
        ExceptionDispatchInfo? failure = null;
        var pool = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            pool[w] = new Thread(() =>
            {
                try
                {
                    torch.set_num_threads(1);
                    using var noGrad = torch.no_grad(); // gradient mode is per thread
                    int index;
                    while (Volatile.Read(ref failure) is null && (index = Interlocked.Increment(ref next)) < groups.Count)
                        score(groups[index]);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }
            }) { IsBackground = true, Name = "ML.Attention scoring" };
            pool[w].Start();
        }
        foreach (var thread in pool)
            thread.Join();
        torch.set_num_threads(threads);
        failure?.Throw();
    }
}
