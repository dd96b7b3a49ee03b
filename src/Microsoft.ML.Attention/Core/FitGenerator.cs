using System;
using System.Threading;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// The random numbers of one Fit. Every libtorch operation that draws from libtorch's default generator (a module's
/// initialization, dropout masks, attention dropout inside the fused kernel, Gumbel noise without a generator of its
/// own) runs through <see cref="Draw{T}"/>, which lends it the fit's own generator for the time of the draw.
/// </summary>
/// <remarks>
/// Why: libtorch's dropout, its fused attention and its layers' initialization take no generator; they draw from one
/// process-wide generator. Fits running at once in one process (a hyper-parameter sweep) would interleave their draws,
/// and their models would depend on scheduling. So each drawing operation runs under one process-wide lock, with the
/// fit's generator state copied into the default generator just before it and back out after it, then the state the
/// default generator had put back. A fit's numbers are those of one generator seeded with its seed, whatever runs
/// beside it, and equal to those of a fit that seeded the default generator itself (as earlier versions did).
/// Only the drawing operations hold the lock: products, backward passes (they reuse the saved masks) and optimizer
/// steps run unlocked. Outside a fit (loading a model) the lock is still taken, so that building a module cannot draw
/// from the default generator while a fit's state is in it; such draws use the default generator as they find it.
/// libtorch calls of the application's own that draw from the default generator during a fit are not covered.
/// </remarks>
internal sealed class FitGenerator : IDisposable
{
    private static readonly object DefaultGeneratorLock = new();
    private static readonly AsyncLocal<FitGenerator?> Current = new();
    private static readonly Lazy<Generator> Default = new(() => Generator.Default);
    // A drawing operation may build modules that draw in turn: only the outermost swaps states.
    [ThreadStatic]
    private static bool _drawing;

    private readonly Generator _own;
    private readonly FitGenerator? _outer;
    private bool _ended;

    private FitGenerator(int seed)
    {
        _own = new Generator(unchecked((ulong)seed));
        _outer = Current.Value;
        Current.Value = this;
    }

    /// <summary>
    /// Starts the fit's generator, seeded with <paramref name="seed"/>: the code that runs on the calling thread (and the
    /// tasks it starts) draws from it until the result is disposed.
    /// </summary>
    public static FitGenerator Begin(int seed) => new(seed);

    /// <summary>
    /// Runs <paramref name="operation"/>, which may draw from libtorch's default generator, under the process-wide
    /// lock: within a fit, its draws come from the fit's generator and the default generator is left as it was.
    /// </summary>
    public static T Draw<T>(Func<T> operation)
    {
        lock (DefaultGeneratorLock)
        {
            var fit = Current.Value;
            // A thread started during a fit keeps it as its context after the fit has ended.
            if (fit is null || fit._ended || _drawing)
                return operation();
            var shared = Default.Value;
            using var before = shared.get_state();
            using (var own = fit._own.get_state())
                shared.set_state(own);
            _drawing = true;
            try
            {
                return operation();
            }
            finally
            {
                _drawing = false;
                using (var after = shared.get_state())
                    fit._own.set_state(after);
                shared.set_state(before);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Current.Value = _outer;
        lock (DefaultGeneratorLock)
        {
            _ended = true;
            _own.Dispose();
        }
    }
}
