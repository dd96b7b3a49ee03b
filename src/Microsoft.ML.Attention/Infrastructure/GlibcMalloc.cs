using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Keeps resident memory flat under repeated scoring on Linux with glibc: bounds the number of malloc arenas once,
/// when the library is loaded, and can return freed memory to the system after a scoring batch.
/// </summary>
/// <remarks>
/// Why: glibc gives threads that allocate at the same time arenas of their own, up to 8 per core. Scoring runs groups
/// on short-lived worker threads (<see cref="ConcurrentGroups"/>) beside libtorch's OpenMP threads and the callers of
/// PredictionEngine, so over many passes the work lands in ever more arenas, each keeping its freed memory: a HAN
/// scored 40 times grew by 248 MiB, and by 16 MiB with <c>MALLOC_ARENA_MAX=2</c> (docs/benchmarks.md). The limit
/// must be set before those threads first allocate, hence a module initializer. One arena per core, at least two:
/// one per scoring worker (there are as many as libtorch threads, at most the cores), and on this project's 2-core
/// machines exactly the setting that was measured flat.
/// Left alone when the environment sets <c>MALLOC_ARENA_MAX</c> (glibc read it already), when the AppContext switch
/// <see cref="LeaveArenasSwitch"/> is on, and on other C libraries and systems.
/// </remarks>
internal static class GlibcMalloc
{
    /// <summary>AppContext switch: true leaves glibc's arena count as the process has it.</summary>
    public const string LeaveArenasSwitch = "Microsoft.ML.Attention.LeaveMallocArenas";

    /// <summary>AppContext switch: true calls <c>malloc_trim</c> after each batched scoring pass of rows.</summary>
    public const string TrimAfterBatchSwitch = "Microsoft.ML.Attention.TrimMallocAfterScoring";

    private const int M_ARENA_MAX = -8;
    private static int _trimEnabled = -1;

    /// <summary>The arena limit this library set, or 0 when it set none.</summary>
    public static int ArenaLimit { get; private set; }

#pragma warning disable CA2255 // A library's module initializer: the limit only helps when set before worker threads allocate.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LimitArenas()
    {
        if (!IsGlibc() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") != null
            || (AppContext.TryGetSwitch(LeaveArenasSwitch, out var leave) && leave))
            return;
        int limit = Math.Max(2, Environment.ProcessorCount);
        if (mallopt(M_ARENA_MAX, limit) == 1)
            ArenaLimit = limit;
    }

    /// <summary>Returns free memory of every arena to the system when <see cref="TrimAfterBatchSwitch"/> is on.</summary>
    public static void TrimIfEnabled()
    {
        if (_trimEnabled < 0)
            Volatile.Write(ref _trimEnabled, IsGlibc() && AppContext.TryGetSwitch(TrimAfterBatchSwitch, out var trim) && trim ? 1 : 0);
        if (_trimEnabled == 1)
            malloc_trim(UIntPtr.Zero);
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
