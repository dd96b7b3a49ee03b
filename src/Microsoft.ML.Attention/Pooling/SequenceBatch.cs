using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>Rows of variable-length sequences packed into a padded tensor and a mask of real positions.</summary>
internal static class SequenceBatch
{
    /// <summary>
    /// Packs rows (each T_i x <paramref name="vectorSize"/> floats, row-major) into values [B, Tmax, D]
    /// and a bool mask [B, Tmax] that is true at real positions. Tmax is at least 1 so empty rows still
    /// give tensors that every operation accepts; their mask row is all false.
    /// </summary>
    public static (Tensor Values, Tensor Mask) Pack(IReadOnlyList<float[]> rows, int vectorSize)
    {
        int maxLength = 1;
        foreach (var row in rows)
            maxLength = Math.Max(maxLength, row.Length / vectorSize);

        var values = new float[rows.Count * maxLength * vectorSize];
        var mask = new bool[rows.Count * maxLength];
        for (int b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            Array.Copy(row, 0, values, b * maxLength * vectorSize, row.Length);
            for (int t = 0; t < row.Length / vectorSize; t++)
                mask[b * maxLength + t] = true;
        }
        // torch.tensor wraps the managed array, whose address varies; vectorised kernels then split their
        // work differently and round differently in the last bit. A libtorch-owned (aligned) copy computes
        // the same way every time.
        using var wrappedValues = torch.tensor(values, new long[] { rows.Count, maxLength, vectorSize });
        using var wrappedMask = torch.tensor(mask, new long[] { rows.Count, maxLength });
        return (wrappedValues.clone(), wrappedMask.clone());
    }
}
