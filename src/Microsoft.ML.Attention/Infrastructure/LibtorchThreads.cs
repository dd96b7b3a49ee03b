using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Makes libtorch run single-threaded on the calling thread only, leaving the process-wide thread count alone.
/// </summary>
/// <remarks>
/// Why not <c>torch.set_num_threads(1)</c>: libtorch's setting is process-wide in part. It stores the count in a global
/// that every thread reads once, when it first runs a libtorch operation, and sets MKL's global count; only OpenMP's
/// part is per thread. A scoring worker that called it made every thread that started libtorch work meanwhile (a
/// PredictionEngine's caller, a thread-pool thread, another cursor) single-threaded for good, and concurrent scorers
/// that saved and restored the count could leave the process at one thread. Here a worker first lets libtorch
/// initialize the thread from the global count, then narrows only its own OpenMP and MKL settings, both of which are
/// per thread (<c>omp_set_num_threads</c> of the OpenMP runtime libtorch loaded, <c>mkl_set_num_threads_local</c>).
/// Both are looked up in libtorch's own libraries; where they cannot be found (libtorch builds without OpenMP or on
/// other systems) <see cref="Available"/> is false and callers stay on the calling thread.
/// </remarks>
internal static class LibtorchThreads
{
    private delegate void SetCount(int count);
    // MKL's Fortran-style entry point, which takes its argument by reference in every build; the C name is an alias of
    // it in some builds and takes the value in others.
    private delegate int SetCountByReference(ref int count);

    private static readonly Lazy<(SetCount? Omp, SetCountByReference? Mkl)> Functions = new(Resolve);

    /// <summary>True when the calling thread's libtorch thread count can be set without touching other threads.</summary>
    public static bool Available => Functions.Value.Omp is not null;

    /// <summary>Makes libtorch use one thread for operations started by the calling thread, from now until the thread ends.</summary>
    /// <exception cref="InvalidOperationException">When <see cref="Available"/> is false.</exception>
    public static void UseOneThreadOnThisThread() => Narrow(1);

    /// <summary>
    /// Makes libtorch use <paramref name="count"/> threads for operations started by the calling thread until the result
    /// is disposed, which gives the thread back the count it had (for a caller's thread, which is the user's).
    /// </summary>
    /// <exception cref="InvalidOperationException">When <see cref="Available"/> is false.</exception>
    public static Narrowed Narrow(int count)
    {
        var (omp, mkl) = Functions.Value;
        if (omp is null)
            throw new InvalidOperationException("libtorch's OpenMP runtime was not found; the thread count cannot be set per thread.");
        // The first libtorch call on a thread copies the process-wide count into the thread's settings; make it happen
        // now, or the first operation would undo what follows. On an OpenMP build the count it returns is this thread's.
        int before = torch.get_num_threads();
        omp(count);
        int local = count;
        // MKL returns the thread's previous local count (0: it followed MKL's global one, which 0 restores).
        int mklBefore = mkl?.Invoke(ref local) ?? 0;
        return new Narrowed(before, mklBefore);
    }

    /// <summary>A narrowed thread count of the calling thread; disposing it restores the one before.</summary>
    internal readonly struct Narrowed : IDisposable
    {
        private readonly int _openMp, _mkl;
        private readonly bool _active;

        public Narrowed(int openMp, int mkl) => (_openMp, _mkl, _active) = (openMp, mkl, true);

        public void Dispose()
        {
            if (!_active)
                return;
            var (omp, mkl) = Functions.Value;
            omp!(_openMp);
            int local = _mkl;
            mkl?.Invoke(ref local);
        }
    }

    private static (SetCount?, SetCountByReference?) Resolve()
    {
        torch.get_num_threads(); // loads libtorch
        var loaded = LoadedLibraries();
        var libtorch = loaded.FirstOrDefault(path => Path.GetFileName(path) == "libtorch_cpu.so");
        if (libtorch is null)
            return (null, null);
        // The OpenMP runtime libtorch ships beside itself (a copy with a hashed name, libgomp-<hash>.so.1), not another
        // one the process may have loaded: only the copy libtorch's parallel regions use reads this thread's setting.
        var directory = Path.GetDirectoryName(libtorch);
        var openMp = loaded.FirstOrDefault(path => Path.GetDirectoryName(path) == directory && Path.GetFileName(path).StartsWith("libgomp", StringComparison.Ordinal));
        SetCount? omp = null;
        if (openMp != null && NativeLibrary.TryLoad(openMp, out var ompHandle) && NativeLibrary.TryGetExport(ompHandle, "omp_set_num_threads", out var ompAddress))
            omp = Marshal.GetDelegateForFunctionPointer<SetCount>(ompAddress);
        SetCountByReference? mkl = null;
        if (NativeLibrary.TryLoad(libtorch, out var torchHandle) && NativeLibrary.TryGetExport(torchHandle, "MKL_SET_NUM_THREADS_LOCAL", out var mklAddress))
            mkl = Marshal.GetDelegateForFunctionPointer<SetCountByReference>(mklAddress);
        return (omp, mkl);
    }

    /// <summary>The paths of the shared libraries the process has mapped (Linux), else none.</summary>
    private static string[] LoadedLibraries()
    {
        if (!OperatingSystem.IsLinux())
            return Array.Empty<string>();
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var start and >= 0 ? line.Substring(start) : null)
                .OfType<string>().Where(path => path.Contains(".so", StringComparison.Ordinal)).Distinct().ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }
}
