using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Training;

/// <summary>How the training rows are grouped into batches, epoch after epoch.</summary>
internal static class Batches
{
    /// <summary>Batches of <paramref name="batchSize"/> rows in a fresh random order each epoch.</summary>
    public static Func<Random, IReadOnlyList<int[]>> Shuffled(IReadOnlyList<int> rows, int batchSize) => random =>
    {
        var order = rows.ToArray();
        random.Shuffle(order);
        return order.Chunk(batchSize).ToArray();
    };

    /// <summary>
    /// Rows sorted by <paramref name="length"/> (then by row number) are cut into batches of neighbours, so little of each
    /// padded block is padding; the order of those batches is shuffled every epoch.
    /// </summary>
    public static Func<Random, IReadOnlyList<int[]>> LengthBucketed<TKey>(IReadOnlyList<int> rows, Func<int, TKey> length, int batchSize)
    {
        var batches = ByLength(rows, length).Chunk(batchSize).ToArray();
        return random =>
        {
            var order = batches.ToArray();
            random.Shuffle(order);
            return order;
        };
    }

    /// <summary>
    /// <paramref name="batch"/> cut into runs of consecutive rows whose count × longest <paramref name="length"/> (the padded
    /// tokens of a forward pass) is at most <paramref name="budget"/>, a row alone when it is longer; rows keep their order.
    /// </summary>
    public static IReadOnlyList<int[]> WithinTokens(int[] batch, Func<int, int> length, int budget)
    {
        var parts = new List<int[]>();
        int start = 0, longest = 0;
        for (int k = 0; k < batch.Length; k++)
        {
            int next = Math.Max(longest, length(batch[k]));
            if (k > start && (long)next * (k - start + 1) > budget)
            {
                parts.Add(batch[start..k]);
                start = k;
                next = length(batch[k]);
            }
            longest = next;
        }
        parts.Add(batch[start..]);
        return parts;
    }

    /// <summary>The rows sorted by <paramref name="length"/>, ties by row number.</summary>
    public static int[] ByLength<TKey>(IReadOnlyList<int> rows, Func<int, TKey> length)
        => rows.OrderBy(length).ThenBy(i => i).ToArray();
}
