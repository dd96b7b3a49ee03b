using System;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// What one Fit holds while it runs (from <see cref="TrainingRun.Begin"/> to its end, error or not): its seed, its own
/// generator (<see cref="FitGenerator"/>) and the calling thread's libtorch thread count, which disposing gives back.
/// </summary>
/// <remarks>
/// Why per thread: <c>torch.set_num_threads</c> is process-wide in part (see <see cref="LibtorchThreads"/>); a Fit that
/// set it changed every other thread of the application for good, and concurrent fits with different counts fought
/// over it. Where the per-thread setting is unavailable, the process-wide count is set and restored at the end.
/// </remarks>
internal sealed class FitScope : IDisposable
{
    private readonly FitGenerator _generator;
    private readonly LibtorchThreads.Narrowed _threads;
    private readonly int _processThreads;

    public FitScope(int seed, int? threads)
    {
        Seed = seed;
        if (threads is int count)
        {
            if (LibtorchThreads.Available)
                _threads = LibtorchThreads.Narrow(count);
            else
            {
                _processThreads = torch.get_num_threads();
                torch.set_num_threads(count);
            }
        }
        _generator = FitGenerator.Begin(seed);
    }

    /// <summary>The fit's seed: the option, else the next number of the MLContext.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        _generator.Dispose();
        _threads.Dispose();
        if (_processThreads > 0)
            torch.set_num_threads(_processThreads);
    }
}
