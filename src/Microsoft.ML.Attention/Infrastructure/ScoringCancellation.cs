using System;
using System.Threading;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// A cancellation token that scoring started on this logical call checks between groups (<see cref="ConcurrentGroups"/>):
/// how a caller that drives a Transform itself (the embedding generator) stops a long batch within one group instead of
/// after the whole batch. ML.NET's own cancellation (<c>MLContext.CancelExecution</c>) ends the context for good.
/// </summary>
internal static class ScoringCancellation
{
    private static readonly AsyncLocal<CancellationToken> Token = new();

    /// <summary>The token of the scoring in progress on this logical call, or none.</summary>
    public static CancellationToken Current => Token.Value;

    /// <summary>Makes <paramref name="token"/> the current one until the result is disposed.</summary>
    public static Scope Use(CancellationToken token)
    {
        var previous = Token.Value;
        Token.Value = token;
        return new Scope(previous);
    }

    /// <summary>Restores the token that was current before <see cref="Use"/>.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly CancellationToken _previous;

        public Scope(CancellationToken previous) => _previous = previous;

        public void Dispose() => Token.Value = _previous;
    }
}
