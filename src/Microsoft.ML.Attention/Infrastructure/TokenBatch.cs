using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>Windows of token ids padded into [N, Tmax] ids (with <c>padding</c>, 0 unless the vocabulary says) and a mask that is true at real tokens.</summary>
internal sealed class TokenBatch : IDisposable
{
    public Tensor Ids { get; }
    public Tensor Mask { get; }
    public int Length { get; }

    public TokenBatch(IReadOnlyList<int[]> windows, int padding = 0)
    {
        int length = 1;
        foreach (var window in windows)
            length = Math.Max(length, window.Length);
        var ids = new long[windows.Count * length];
        var mask = new bool[windows.Count * length];
        if (padding != 0)
            Array.Fill(ids, padding);
        for (int r = 0; r < windows.Count; r++)
        {
            for (int t = 0; t < windows[r].Length; t++)
            {
                ids[r * length + t] = windows[r][t];
                mask[r * length + t] = true;
            }
        }
        Length = length;
        Ids = OwnedTensor.From(ids, windows.Count, length);
        Mask = OwnedTensor.From(mask, windows.Count, length);
    }

    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
    }
}
