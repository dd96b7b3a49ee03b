using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>Rows of variable-length sequences packed into padded tensors for one forward pass.</summary>
internal sealed class SequenceBatch : IDisposable
{
    /// <summary>[B, Tmax, D]; Tmax is at least 1 so that empty rows still give tensors every operation accepts.</summary>
    public Tensor Values { get; }

    /// <summary>[B, Tmax], true at usable positions; all false for an empty row.</summary>
    public Tensor Mask { get; }

    /// <summary>[B, Dq], or null without a query column.</summary>
    public Tensor? Query { get; }

    /// <summary>Tmax.</summary>
    public int PaddedLength { get; }

    public SequenceBatch(IReadOnlyList<PoolingRow> rows, int vectorSize, int querySize)
    {
        int maxLength = 1;
        foreach (var row in rows)
            maxLength = Math.Max(maxLength, row.Values.Length / vectorSize);

        var values = new float[rows.Count * maxLength * vectorSize];
        var mask = new bool[rows.Count * maxLength];
        var query = querySize > 0 ? new float[rows.Count * querySize] : null;
        for (int b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            Array.Copy(row.Values, 0, values, b * maxLength * vectorSize, row.Values.Length);
            for (int t = 0; t < row.Values.Length / vectorSize; t++)
                mask[b * maxLength + t] = row.Usable?[t] ?? true;
            if (query != null)
                Array.Copy(row.Query!, 0, query, b * querySize, querySize);
        }
        PaddedLength = maxLength;
        Values = OwnedTensor.From(values, rows.Count, maxLength, vectorSize);
        Mask = OwnedTensor.From(mask, rows.Count, maxLength);
        Query = query == null ? null : OwnedTensor.From(query, rows.Count, querySize);
    }

    public void Dispose()
    {
        Values.Dispose();
        Mask.Dispose();
        Query?.Dispose();
    }
}
