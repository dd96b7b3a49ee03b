using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// The long-text rule on a text's token ids, before special tokens are added: a text longer than the budget keeps
/// its head and tail (half of the budget each, the middle dropped and counted) or is cut into consecutive windows.
/// Shared by the featurizer's own encoder and the pretrained encoders, whose windows differ only in their special tokens.
/// </summary>
internal static class LongTextCut
{
    public static (int[][] Pieces, int DroppedTokens) Split(int[] ids, int budget, LongTextHandling longText)
    {
        if (ids.Length <= budget)
            return (new[] { ids }, 0);
        if (longText == LongTextHandling.HeadAndTail)
        {
            int head = (budget + 1) / 2, tail = budget - head;
            return (new[] { ids.Take(head).Concat(ids.Skip(ids.Length - tail)).ToArray() }, ids.Length - budget);
        }
        return (ids.Chunk(budget).ToArray(), 0);
    }

    /// <summary>Positions (in the text's token list) of the tokens the windows read, for aligning token weights.</summary>
    public static IEnumerable<int> ReadPositions(int tokenCount, int budget, LongTextHandling longText)
    {
        if (tokenCount <= budget || longText == LongTextHandling.SlidingWindow)
            return Enumerable.Range(0, tokenCount);
        int head = (budget + 1) / 2, tail = budget - head;
        return Enumerable.Range(0, head).Concat(Enumerable.Range(tokenCount - tail, tail));
    }
}
