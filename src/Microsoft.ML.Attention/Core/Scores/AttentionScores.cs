using System;
using System.Collections.Generic;

namespace Microsoft.ML.Attention.Core;

// Builds the score module for an AttentionScoreFunction from the dimensions of the layer it belongs to.
internal static class AttentionScores
{
    // hiddenSize is used by Additive, Location and Mlp; queryDim = 0 makes Mlp query-free.
    public static AttentionScore Create(AttentionScoreFunction kind, int queryDim, int keyDim, int hiddenSize)
    {
        switch (kind)
        {
            case AttentionScoreFunction.Dot:
                RequireEqual(kind, queryDim, keyDim);
                return new DotScore();
            case AttentionScoreFunction.ScaledDot:
                RequireEqual(kind, queryDim, keyDim);
                return new ScaledDotScore();
            case AttentionScoreFunction.General:
                return new GeneralScore(queryDim, keyDim);
            case AttentionScoreFunction.Additive:
                return new AdditiveScore(queryDim, keyDim, hiddenSize);
            case AttentionScoreFunction.Cosine:
                RequireEqual(kind, queryDim, keyDim);
                return new CosineScore();
            case AttentionScoreFunction.Location:
                return new LocationScore(keyDim, hiddenSize);
            case AttentionScoreFunction.Mlp:
                return new MlpScore(queryDim, keyDim, hiddenSize);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown attention score function.");
        }
    }

    /// <summary>
    /// The weights <see cref="Create"/> gives the score, by field name and shape, for checking a saved architecture
    /// before the score is built; parameter-free scores have none.
    /// </summary>
    public static IEnumerable<(string Name, long[] Shape)> WeightShapes(AttentionScoreFunction kind, int queryDim, int keyDim, int hiddenSize)
    {
        switch (kind)
        {
            case AttentionScoreFunction.General:
                yield return ("key_projection.weight", new long[] { queryDim, keyDim });
                break;
            case AttentionScoreFunction.Additive:
                yield return ("query_projection.weight", new long[] { hiddenSize, queryDim });
                yield return ("key_projection.weight", new long[] { hiddenSize, keyDim });
                break;
            case AttentionScoreFunction.Location:
                yield return ("key_projection.weight", new long[] { hiddenSize, keyDim });
                break;
            case AttentionScoreFunction.Mlp:
                yield return ("hidden_layer.weight", new long[] { hiddenSize, (long)queryDim + keyDim });
                break;
        }
    }

    private static void RequireEqual(AttentionScoreFunction kind, int queryDim, int keyDim)
    {
        if (queryDim != keyDim)
        {
            throw new ArgumentException(
                $"The {kind} score needs equal query and key dimensions, but they are {queryDim} and {keyDim}.");
        }
    }
}
