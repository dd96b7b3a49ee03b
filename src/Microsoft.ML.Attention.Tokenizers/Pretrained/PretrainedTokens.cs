using System;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A text as a pretrained encoder reads it: one or more windows (start pieces end: [CLS] … [SEP], &lt;s&gt; … &lt;/s&gt;) of
/// at most the model's maximum tokens, the number of pieces of the whole text, and how many a head-and-tail cut left out.
/// </summary>
internal sealed record PretrainedTokens(int[][] Windows, int PieceCount, int DroppedTokens)
{
    public int LongestWindow => Windows.Max(w => w.Length);

    public static PretrainedTokens Build(int[] pieces, int startId, int endId, int maxTokens, LongTextHandling longText)
    {
        var (cuts, dropped) = Text.LongTextCut.Split(pieces, maxTokens - 2, longText);
        var windows = cuts.Select(c =>
        {
            var window = new int[c.Length + 2];
            window[0] = startId;
            Array.Copy(c, 0, window, 1, c.Length);
            window[^1] = endId;
            return window;
        }).ToArray();
        return new PretrainedTokens(windows, pieces.Length, dropped);
    }
}
