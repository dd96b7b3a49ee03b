using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using TorchSharp;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Scores the groups of a batch on as many threads as libtorch may use, each group with libtorch single-threaded;
/// scoring calls in flight at once (Transforms and PredictionEngines on several threads) share those threads.
/// </summary>
/// <remarks>
/// Why: scoring is mostly small, latency-bound operations (recurrent steps, attention over short rows) that libtorch's
/// intra-op threads barely speed up, so one group at a time leaves cores idle. Every group is scored with one libtorch
/// thread, whichever thread scores it, so a row's result depends neither on the thread count nor on what else runs:
/// concurrent scoring gives exactly the sequential results. Each worker narrows only its own libtorch thread count, and
/// a group scored on the caller's thread (a PredictionEngine's row, a call with one group) narrows it for that call only
/// (<see cref="LibtorchThreads"/>): no scoring call changes state another thread reads, so the user's thread count
/// holds for everything else. The user's count is the number of workers, shared by the calls in flight: libtorch
/// gives every calling thread its own threads, so requests that each took the user's count would oversubscribe the
/// cores (waiting OpenMP workers spin; figures in docs/benchmarks.md). Where per-thread counts are not
/// available, the groups run one after another on the calling thread with the user's count.
/// </remarks>
internal static class ConcurrentGroups
{
    private static int _callsInFlight;

    /// <param name="groups">Groups of row indices; <paramref name="score"/> must only write the rows of its group.</param>
    /// <param name="score">Scores one group; runs on a worker thread with gradients off.</param>
    /// <exception cref="OperationCanceledException">The caller's <see cref="ScoringCancellation"/> token was cancelled; checked before each group.</exception>
    public static void ForEach(IReadOnlyList<int[]> groups, Action<int[]> score)
    {
        var cancellation = ScoringCancellation.Current;
        cancellation.ThrowIfCancellationRequested();
        Action<int[]> scoreGroup = cancellation.CanBeCanceled
            ? group =>
            {
                cancellation.ThrowIfCancellationRequested();
                score(group);
            }
            : score;
        int calls = Interlocked.Increment(ref _callsInFlight);
        try
        {
            Run(groups, scoreGroup, Math.Max(1, torch.get_num_threads() / calls));
        }
        finally
        {
            Interlocked.Decrement(ref _callsInFlight);
        }
    }

    private static void Run(IReadOnlyList<int[]> groups, Action<int[]> score, int workerBudget)
    {
        int workers = Math.Min(workerBudget, groups.Count);
        if (workers <= 1 || !LibtorchThreads.Available)
        {
            // On the caller's thread too a group is scored with one libtorch thread, for that call only.
            using var oneThread = LibtorchThreads.Available ? LibtorchThreads.Narrow(1) : default;
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
                    LibtorchThreads.UseOneThreadOnThisThread();
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
        failure?.Throw();
    }
}
