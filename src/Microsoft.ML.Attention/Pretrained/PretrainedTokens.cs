using System;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A text as a BERT encoder reads it: one or more windows [CLS] pieces [SEP] of at most the model's maximum tokens,
/// the number of word pieces of the whole text, and how many a head-and-tail cut left out.
/// </summary>
internal sealed record PretrainedTokens(int[][] Windows, int PieceCount, int DroppedTokens)
{
    public int LongestWindow => Windows.Max(w => w.Length);

    public static PretrainedTokens Build(int[] pieces, int classificationId, int separatorId, int maxTokens, LongTextHandling longText)
    {
        var (cuts, dropped) = Text.LongTextCut.Split(pieces, maxTokens - 2, longText);
        var windows = cuts.Select(c =>
        {
            var window = new int[c.Length + 2];
            window[0] = classificationId;
            Array.Copy(c, 0, window, 1, c.Length);
            window[^1] = separatorId;
            return window;
        }).ToArray();
        return new PretrainedTokens(windows, pieces.Length, dropped);
    }
}
