using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Scoring runs its groups on worker threads that use one libtorch thread each. libtorch's thread count is partly
/// process-wide (a thread copies it when it first runs libtorch work), so a scorer that changed it could leave other
/// threads, and later work, on one thread. These tests start fresh threads while scoring runs and after it, and
/// check that every one of them sees the count the user set.
/// </summary>
[TestClass]
public sealed class ThreadCountTests
{
    private const int UserThreads = 2;

    [TestMethod]
    public void ScoringWorkersRunSingleThreadedWithoutChangingWhatOtherThreadsSee()
    {
        Assert.IsTrue(LibtorchThreads.Available, "libtorch's per-thread OpenMP setting should be found on Linux");
        WithUserThreadCount(() =>
        {
            var workerCounts = new ConcurrentBag<int>();
            var freshThreadCounts = new ConcurrentBag<int>();
            var groups = Enumerable.Range(0, 8).Select(i => new[] { i }).ToArray();
            ConcurrentGroups.ForEach(groups, group =>
            {
                workerCounts.Add(torch.get_num_threads());
                using (var a = torch.ones(64, 64))
                using (var b = a.matmul(a)) { } // libtorch work on the worker, after which its own count must still hold
                workerCounts.Add(torch.get_num_threads());
                freshThreadCounts.Add(CountOnAFreshThread());
            });
            CollectionAssert.AreEquivalent(Enumerable.Repeat(1, groups.Length * 2).ToList(), workerCounts.ToList(), "workers score with one libtorch thread each");
            CollectionAssert.AreEquivalent(Enumerable.Repeat(UserThreads, groups.Length).ToList(), freshThreadCounts.ToList(),
                "a thread that starts libtorch work while the groups are scored gets the user's count");
            Assert.AreEqual(UserThreads, torch.get_num_threads(), "the calling thread keeps the user's count");
            Assert.AreEqual(UserThreads, CountOnAFreshThread(), "a thread started afterwards gets the user's count");
        });
    }

    /// <summary>
    /// Scoring calls in flight at once share the user's threads as workers: a call with two groups made while another
    /// call is under way scores them on its caller's thread (its share is one worker), alone it uses worker threads.
    /// Either way each group runs with one libtorch thread, so results do not depend on what else runs, and the
    /// caller's thread has the user's count again afterwards.
    /// </summary>
    [TestMethod]
    public void ScoringCallsInFlightTogetherShareTheWorkersAndGiveTheCallersCountBack()
    {
        WithUserThreadCount(() =>
        {
            using var firstIsScoring = new ManualResetEventSlim();
            using var secondIsDone = new ManualResetEventSlim();
            var seenBySecond = new ConcurrentBag<(int Thread, int Count)>();
            int seenByFirst = 0, secondCaller = 0, secondAfterwards = 0;
            var first = new Thread(() => ConcurrentGroups.ForEach(new[] { new[] { 0 } }, _ =>
            {
                seenByFirst = torch.get_num_threads();
                firstIsScoring.Set();
                secondIsDone.Wait(TimeSpan.FromSeconds(30));
            }));
            var second = new Thread(() =>
            {
                firstIsScoring.Wait(TimeSpan.FromSeconds(30));
                secondCaller = Environment.CurrentManagedThreadId;
                ConcurrentGroups.ForEach(new[] { new[] { 0 }, new[] { 1 } }, _ => seenBySecond.Add((Environment.CurrentManagedThreadId, torch.get_num_threads())));
                secondAfterwards = torch.get_num_threads();
                secondIsDone.Set();
            });
            first.Start();
            second.Start();
            first.Join();
            second.Join();
            var seenAlone = new ConcurrentBag<(int Thread, int Count)>();
            int caller = Environment.CurrentManagedThreadId;
            ConcurrentGroups.ForEach(new[] { new[] { 0 }, new[] { 1 } }, _ => seenAlone.Add((Environment.CurrentManagedThreadId, torch.get_num_threads())));

            Assert.AreEqual(1, seenByFirst, "a group on its caller's thread runs with one libtorch thread");
            CollectionAssert.AreEqual(new[] { (secondCaller, 1), (secondCaller, 1) }, seenBySecond.ToArray(),
                "with another call in flight, a call's share is one worker: its caller's thread, one libtorch thread");
            Assert.AreEqual(UserThreads, secondAfterwards, "the second caller's thread has the user's count back afterwards");
            Assert.IsTrue(seenAlone.All(s => s.Thread != caller && s.Count == 1), "alone, a call's groups run on worker threads of one libtorch thread each");
            Assert.AreEqual(UserThreads, torch.get_num_threads());
            Assert.AreEqual(UserThreads, CountOnAFreshThread(), "a thread started afterwards gets the user's count");
        });
    }

    [TestMethod]
    public void ConcurrentPredictionEnginesAndTransformsLeaveTheUsersThreadCount()
    {
        WithUserThreadCount(() =>
        {
            var ml = new MLContext(seed: 5);
            var rows = SyntheticDocuments.Generate(200, seed: 5);
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 1)))
                .Fit(data);
            var expected = ColumnAssert.Vectors(model.Transform(data), "Score");

            var seenMeanwhile = new ConcurrentBag<int>();
            using var done = new CancellationTokenSource();
            var watcher = new Thread(() =>
            {
                while (!done.IsCancellationRequested)
                    seenMeanwhile.Add(CountOnAFreshThread());
            });
            watcher.Start();
            var failures = new ConcurrentQueue<string>();
            var scorers = Enumerable.Range(0, 4).Select(k => new Thread(() =>
            {
                try
                {
                    if (k % 2 == 0)
                    {
                        for (int pass = 0; pass < 3; pass++)
                            FloatAssert.AreClose(expected[7], ColumnAssert.Vectors(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score")[7], "Transform", 1e-6);
                    }
                    else
                    {
                        var engine = ml.Model.CreatePredictionEngine<DocumentRow, ScoreOnly>(model);
                        for (int i = 0; i < 60; i++)
                            FloatAssert.AreClose(expected[i], engine.Predict(rows[i]).Score, $"PredictionEngine row {i}", 1e-4);
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.Message);
                }
            })).ToList();
            scorers.ForEach(t => t.Start());
            scorers.ForEach(t => t.Join());
            done.Cancel();
            watcher.Join();

            Assert.IsEmpty(failures, string.Join("\n", failures));
            Assert.IsNotEmpty(seenMeanwhile);
            Assert.AreEqual(UserThreads, seenMeanwhile.Min(), $"threads started while scoring ran saw {string.Join(",", seenMeanwhile.Distinct())}");
            Assert.AreEqual(UserThreads, torch.get_num_threads());
            Assert.AreEqual(UserThreads, CountOnAFreshThread());
        });
    }

    /// <summary>
    /// <c>NumberOfThreads</c> applies to the fit's own thread while it runs: fits at once each see their count, other
    /// threads the user's, and every thread has the user's count back when the fits end, also when a fit fails.
    /// </summary>
    [TestMethod]
    public void FitsWithNumberOfThreadsLeaveTheUsersThreadCount()
    {
        WithUserThreadCount(() =>
        {
            var ml = new MLContext(seed: 5);
            var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(40, seed: 5));
            var seenByFits = new ConcurrentBag<int>();
            var seenBeside = new ConcurrentBag<int>();
            var fits = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                var options = HanTestSettings.Small(epochs: 1);
                options.NumberOfThreads = 1;
                options.Progress = _ =>
                {
                    seenByFits.Add(torch.get_num_threads());
                    seenBeside.Add(CountOnAFreshThread());
                };
                ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
                seenBeside.Add(torch.get_num_threads());
            })).ToList();
            fits.ForEach(t => t.Start());
            fits.ForEach(t => t.Join());
            var oneClass = HanTestSettings.Small(epochs: 1);
            oneClass.NumberOfThreads = 1;
            Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(oneClass))
                .Fit(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(10, seed: 5).Select(r => new DocumentRow { Text = r.Text, Label = "one" }))));

            Assert.IsNotEmpty(seenByFits);
            Assert.IsTrue(seenByFits.All(c => c == 1), "a fit trains with its NumberOfThreads");
            Assert.IsTrue(seenBeside.All(c => c == UserThreads), $"other threads, and the fits' threads afterwards, saw {string.Join(",", seenBeside.Distinct())}");
            Assert.AreEqual(UserThreads, torch.get_num_threads(), "after a failed fit the caller's thread has the user's count");
            Assert.AreEqual(UserThreads, CountOnAFreshThread());
        });
    }

    private sealed class ScoreOnly
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    /// <summary>The libtorch thread count a new thread gets when it first runs libtorch work.</summary>
    private static int CountOnAFreshThread()
    {
        int count = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var a = torch.ones(8, 8))
                using (var b = a.matmul(a)) { }
                count = torch.get_num_threads();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure != null)
            throw new AssertFailedException("libtorch work on a fresh thread failed: " + failure);
        return count;
    }

    /// <summary>Runs <paramref name="test"/> with libtorch set to <see cref="UserThreads"/> threads, as a user would set it, then restores the count.</summary>
    private static void WithUserThreadCount(Action test)
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(UserThreads);
        try
        {
            test();
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
