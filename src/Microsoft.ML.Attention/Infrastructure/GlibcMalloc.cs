using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Returns memory freed by scoring to the system on Linux with glibc (<c>malloc_trim</c> after a batched scoring
/// batch or a PredictionEngine call, at most once a second), fixes the size above which blocks come straight from the
/// system while a pretrained encoder is fine-tuned, and can bound the number of malloc arenas when the library loads (opt-in).
/// </summary>
/// <remarks>
/// Why: glibc gives threads that allocate at the same time arenas of their own, up to 8 per core, and keeps freed
/// memory in them. Scoring runs groups on short-lived worker threads (<see cref="ConcurrentGroups"/>) beside libtorch's
/// OpenMP threads and the callers of PredictionEngine, so resident memory can climb over many passes although nothing
/// leaks; <c>MALLOC_ARENA_MAX=2</c> set in the environment keeps it nearly flat. Capping the arenas from inside the
/// process (<see cref="LimitArenasSwitch"/>, set in a module initializer) did not keep a reduced run flat, so it is
/// opt-in (figures in docs/benchmarks.md); trimming only gives back free pages, whatever arena holds them, and is on by default
/// (<see cref="TrimAfterScoringSwitch"/> set to false turns it off). See docs/persistence-and-deployment.md.
///
/// Fine-tuning a pretrained encoder fragments the main heap: glibc raises its mmap threshold each time a mapped block
/// is freed (up to 32 MiB), so after the first batches every activation comes from the heap, and batches of other
/// lengths leave holes the next ones do not fit. So when such a fine-tuning starts (<see cref="Training.TrainingSettings.MapsLargeActivations"/>)
/// the threshold is fixed (4 MiB unless <see cref="TrainingMmapThresholdSetting"/> chooses another), and the larger
/// activations are mapped and returned whole; when it ends (the last of those under way at once: they share the threshold
/// by a count) the threshold goes to 32 MiB, since scoring with a low
/// threshold pays for fresh pages on every large block. The library's own networks (HAN, featurizer, pooling) do not
/// fix it: their steps are short, and faulting in fresh pages for every large block doubled their training time.
/// Lower thresholds, or trimming during training, save more memory and cost time: the user's choice.
/// docs/benchmarks.md has the runs.
/// </remarks>
internal static class GlibcMalloc
{
    /// <summary>AppContext switch, default on: false stops the <c>malloc_trim</c> after batched scoring.</summary>
    public const string TrimAfterScoringSwitch = "Microsoft.ML.Attention.TrimMallocAfterScoring";

    /// <summary>AppContext switch, default off: true caps glibc's arenas at one per core (at least two) when the library loads.</summary>
    public const string LimitArenasSwitch = "Microsoft.ML.Attention.LimitMallocArenas";

    /// <summary>
    /// AppContext setting: glibc's mmap threshold in bytes, fixed when a pretrained encoder's fine-tuning starts (default
    /// <see cref="DefaultTrainingMmapThreshold"/>); 0 leaves glibc's dynamic threshold alone. Lower values map more
    /// activations and fragment the heap less, for less memory and more time.
    /// </summary>
    public const string TrainingMmapThresholdSetting = "Microsoft.ML.Attention.TrainingMmapThreshold";

    /// <summary>The threshold fixed when fine-tuning starts unless <see cref="TrainingMmapThresholdSetting"/> says otherwise.</summary>
    public const int DefaultTrainingMmapThreshold = 4 << 20;

    // mallopt's parameter numbers (glibc's M_ARENA_MAX and M_MMAP_THRESHOLD).
    private const int ArenaMaxParameter = -8;
    private const int MmapThresholdParameter = -3;
    // glibc's mallopt refuses thresholds above half its largest heap: 32 MiB on 64-bit systems.
    private const int MaximumThreshold = 32 << 20;
    private static readonly object ThresholdLock = new();
    // Fine-tunings under way (under ThresholdLock): the threshold stays fixed until the last one ends.
    private static int _trainingRuns;
    // Trimming walks every arena; once a second bounds its cost for fast scorers (pooling scores 256 rows in
    // milliseconds). The end of a pass trims sooner, so what the pass's last batches freed does not stay resident.
    private const long TrimIntervalMilliseconds = 1000;
    private const long EndOfPassTrimIntervalMilliseconds = 100;
    private static int _trimEnabled = -1;
    private static long _lastTrim = long.MinValue / 2;

    /// <summary>The arena limit this library set, or 0 when it set none.</summary>
    public static int ArenaLimit { get; private set; }

    /// <summary>The mmap threshold this library set last (when fine-tuning started or ended), or 0 when it set none.</summary>
    public static int MmapThreshold { get; private set; }

#pragma warning disable CA2255 // A library's module initializer: an arena limit only helps when set before worker threads allocate.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LimitArenasIfAsked()
    {
        if (!(AppContext.TryGetSwitch(LimitArenasSwitch, out var limitArenas) && limitArenas)
            || !IsGlibc() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") != null)
            return;
        int limit = Math.Max(2, Environment.ProcessorCount);
        if (mallopt(ArenaMaxParameter, limit) == 1)
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
    /// When a training run that maps its large activations starts (<see cref="Training.TrainingSettings.MapsLargeActivations"/>):
    /// fixes glibc's mmap threshold at the <see cref="TrainingMmapThresholdSetting"/> until the last such run under way
    /// ends (<see cref="AfterTraining"/>, once per call of this), unless it is 0 or the environment sets the threshold itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is not a whole number of bytes from 0 to 32 MiB.</exception>
    public static void BeforeTraining()
    {
        int threshold = TrainingThreshold();
        bool applies = threshold != 0 && IsGlibc() && Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") == null
            && !(Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("mmap_threshold", StringComparison.Ordinal) ?? false);
        lock (ThresholdLock)
        {
            _trainingRuns++;
            if (applies && MmapThreshold != threshold && mallopt(MmapThresholdParameter, threshold) == 1)
                MmapThreshold = threshold;
        }
    }

    /// <summary>
    /// When a training run that called <see cref="BeforeTraining"/> ends: once no other such run is under way, if a
    /// threshold was fixed, raises it to glibc's largest (32 MiB, where its own dynamic threshold ends up once the first
    /// large block is freed), so that scoring takes its activations from the heap again instead of fresh pages; then
    /// returns what training occupied to the system (<see cref="TrimAfterTraining"/>).
    /// </summary>
    public static void AfterTraining()
    {
        lock (ThresholdLock)
            if (_trainingRuns > 0 && --_trainingRuns == 0
                && MmapThreshold != 0 && MmapThreshold != MaximumThreshold && mallopt(MmapThresholdParameter, MaximumThreshold) == 1)
                MmapThreshold = MaximumThreshold;
        TrimAfterTraining();
    }

    /// <summary>
    /// When any training run ends: returns what its activations and gradients occupied to the system
    /// (<see cref="TrimAfterScoringSwitch"/> turns that off); without it a fine-tuning leaves most of its peak resident
    /// though little of it is in use.
    /// </summary>
    public static void TrimAfterTraining() => TrimAfterScoring(endOfPass: true);

    private static int TrainingThreshold()
    {
        var value = AppContext.GetData(TrainingMmapThresholdSetting);
        if (value == null)
            return DefaultTrainingMmapThreshold;
        if (long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            && bytes >= 0 && bytes <= MaximumThreshold)
            return (int)bytes;
        throw new InvalidOperationException($"The AppContext setting {TrainingMmapThresholdSetting} is '{value}'; expected a whole number " +
            $"of bytes from 0 (leave glibc's threshold alone) to {MaximumThreshold} (32 MiB).");
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
