using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Builds the distribution module for an AttentionDistributionKind.
internal static class AttentionDistributions
{
    // queryDim is used by LocalPredictive (also as its hidden size); localHalfWidth by Local and LocalPredictive;
    // temperature and generator by Hard (straight-through).
    public static AttentionDistribution Create(
        AttentionDistributionKind kind, int queryDim, int localHalfWidth, double temperature, Generator? generator)
    {
        return kind switch
        {
            AttentionDistributionKind.Soft => new SoftDistribution(),
            AttentionDistributionKind.Hard => new HardDistribution(temperature, straightThrough: true, generator),
            AttentionDistributionKind.Local => new LocalDistribution(localHalfWidth),
            AttentionDistributionKind.LocalPredictive => new LocalPredictiveDistribution(queryDim, localHalfWidth, queryDim),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown attention distribution kind."),
        };
    }
}
