using System;
using Microsoft.ML.Attention.Core;
using TorchSharp;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// What one Fit holds while it runs (from <see cref="TrainingRun.Begin"/> to its end, error or not): its seed and its
/// own generator (<see cref="FitGenerator"/>).
/// </summary>
internal sealed class FitScope : IDisposable
{
    private readonly FitGenerator _generator;

    public FitScope(int seed, int? threads)
    {
        Seed = seed;
        if (threads is int count)
            torch.set_num_threads(count);
        _generator = FitGenerator.Begin(seed);
    }

    /// <summary>The fit's seed: the option, else the next number of the MLContext.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        _generator.Dispose();
    }
}
