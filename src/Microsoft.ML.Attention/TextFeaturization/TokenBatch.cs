using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>Windows of token ids padded into [N, Tmax] ids and a mask that is true at real tokens.</summary>
internal sealed class TokenBatch : IDisposable
{
    public Tensor Ids { get; }
    public Tensor Mask { get; }
    public int Length { get; }

    public TokenBatch(IReadOnlyList<int[]> windows)
    {
        int length = 1;
        foreach (var window in windows)
            length = Math.Max(length, window.Length);
        var ids = new long[windows.Count * length];
        var mask = new bool[windows.Count * length];
        for (int r = 0; r < windows.Count; r++)
        {
            for (int t = 0; t < windows[r].Length; t++)
            {
                ids[r * length + t] = windows[r][t];
                mask[r * length + t] = true;
            }
        }
        Length = length;
        // Copies owned by libtorch: arithmetic then does not depend on where the managed arrays live.
        using var wrappedIds = torch.tensor(ids, new long[] { windows.Count, length });
        using var wrappedMask = torch.tensor(mask, new long[] { windows.Count, length });
        Ids = wrappedIds.clone();
        Mask = wrappedMask.clone();
    }

    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
    }
}
