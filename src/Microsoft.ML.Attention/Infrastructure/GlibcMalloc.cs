using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Returns memory freed by scoring to the system on Linux with glibc (<c>malloc_trim</c> after a batched scoring
/// batch or a PredictionEngine call, at most once a second), and can bound the number of malloc arenas when the library loads (opt-in).
/// </summary>
/// <remarks>
/// Why: glibc gives threads that allocate at the same time arenas of their own, up to 8 per core, and keeps freed
/// memory in them. Scoring runs groups on short-lived worker threads (<see cref="ConcurrentGroups"/>) beside libtorch's
/// OpenMP threads and the callers of PredictionEngine, so resident memory can climb over many passes although nothing
/// leaks: a HAN scored 40 times grew by 248 MiB with the defaults, 16 MiB with <c>MALLOC_ARENA_MAX=2</c> set in the
/// environment (docs/benchmarks.md). Capping the arenas from inside the process (<see cref="LimitArenasSwitch"/>, set
/// in a module initializer) did not keep a reduced run flat here (539 to 764 MiB in 9 passes, one run on a loaded
/// machine), so it is opt-in; trimming only gives back free pages, whatever arena holds them, and is on by default
/// (<see cref="TrimAfterScoringSwitch"/> set to false turns it off). See docs/persistence-and-deployment.md.
/// </remarks>
internal static class GlibcMalloc
{
    /// <summary>AppContext switch, default on: false stops the <c>malloc_trim</c> after batched scoring.</summary>
    public const string TrimAfterScoringSwitch = "Microsoft.ML.Attention.TrimMallocAfterScoring";

    /// <summary>AppContext switch, default off: true caps glibc's arenas at one per core (at least two) when the library loads.</summary>
    public const string LimitArenasSwitch = "Microsoft.ML.Attention.LimitMallocArenas";

    private const int M_ARENA_MAX = -8;
    // Trimming walks every arena; once a second bounds its cost for fast scorers (pooling scores 256 rows in
    // milliseconds). The end of a pass trims sooner, so what the pass's last batches freed does not stay resident
    // (a reduced HAN run showed passes ending 80 MiB higher when their last trim was skipped).
    private const long TrimIntervalMilliseconds = 1000;
    private const long EndOfPassTrimIntervalMilliseconds = 100;
    private static int _trimEnabled = -1;
    private static long _lastTrim = long.MinValue / 2;

    /// <summary>The arena limit this library set, or 0 when it set none.</summary>
    public static int ArenaLimit { get; private set; }

#pragma warning disable CA2255 // A library's module initializer: an arena limit only helps when set before worker threads allocate.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LimitArenasIfAsked()
    {
        if (!(AppContext.TryGetSwitch(LimitArenasSwitch, out var limitArenas) && limitArenas)
            || !IsGlibc() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") != null)
            return;
        int limit = Math.Max(2, Environment.ProcessorCount);
        if (mallopt(M_ARENA_MAX, limit) == 1)
            ArenaLimit = limit;
    }

    /// <summary>After a scoring batch (or the end of a pass): returns free memory of every arena to the system, at most once a second (10 times at the end of passes).</summary>
    public static void TrimAfterScoring(bool endOfPass = false)
    {
        if (_trimEnabled < 0)
            Volatile.Write(ref _trimEnabled, IsGlibc() && (!AppContext.TryGetSwitch(TrimAfterScoringSwitch, out var trim) || trim) ? 1 : 0);
        if (_trimEnabled != 1)
            return;
        long now = Environment.TickCount64, last = Interlocked.Read(ref _lastTrim);
        if (now - last < (endOfPass ? EndOfPassTrimIntervalMilliseconds : TrimIntervalMilliseconds) || Interlocked.CompareExchange(ref _lastTrim, now, last) != last)
            return;
        malloc_trim(UIntPtr.Zero);
    }

    /// <summary>
    /// After training: returns what its activations and gradients occupied to the system (the same switch turns it
    /// off). Fine-tuning MiniLM on 96 texts of 256 tokens left 2.3 GiB resident of which 0.24 GiB was in use.
    /// </summary>
    public static void TrimAfterTraining()
    {
        TrimAfterScoring(endOfPass: true);
    }

    private static bool IsGlibc()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return gnu_get_libc_version() != IntPtr.Zero;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // musl and other C libraries
        }
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern IntPtr gnu_get_libc_version();

    [DllImport("libc", ExactSpelling = true)]
    private static extern int mallopt(int parameter, int value);

    [DllImport("libc", ExactSpelling = true)]
    private static extern int malloc_trim(UIntPtr pad);
}
