using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Pooling;

/// <summary>A row with a variable-length sequence of vectors and a label.</summary>
public sealed class SequenceRow
{
    public float[] Sequence { get; set; } = Array.Empty<float>();

    public string Label { get; set; } = "";

    /// <summary>Where the label is carried (not a column).</summary>
    [Microsoft.ML.Data.NoColumn]
    public int Carrier { get; set; } = -1;
}

/// <summary>
/// Synthetic sequences where one vector, at a random position, carries the label. The carrier has a marker
/// (3) in dimension 0, where the distractors have noise in [-1, 1]; its dimension 1 is +2 or -2 by label. The
/// distractors' dimension 1 values cancel the carrier's exactly, so every row's mean is 0 there: mean pooling
/// cannot see the label, attention that finds the marker can.
/// </summary>
public static class SequenceData
{
    public static List<SequenceRow> Generate(int rows, int vectorSize, int seed, int minLength = 2, int maxLength = 8)
    {
        var random = new Random(seed);
        var result = new List<SequenceRow>();
        for (int r = 0; r < rows; r++)
        {
            int length = random.Next(minLength, maxLength + 1);
            bool positive = random.Next(2) == 1;
            int carrier = length > 0 ? random.Next(length) : -1;
            var values = new float[length * vectorSize];
            for (int t = 0; t < length; t++)
                for (int d = 0; d < vectorSize; d++)
                    values[t * vectorSize + d] = (float)(random.NextDouble() * 2 - 1);
            if (length > 1)
            {
                float signal = positive ? 2f : -2f;
                var noise = Enumerable.Range(0, length - 1).Select(_ => random.NextDouble() - 0.5).ToArray();
                var noiseMean = noise.Average();
                int k = 0;
                for (int t = 0; t < length; t++)
                    values[t * vectorSize + 1] = t == carrier ? signal : (float)(-signal / (length - 1) + noise[k++] - noiseMean);
            }
            if (carrier >= 0)
                values[carrier * vectorSize] = 3f;
            result.Add(new SequenceRow { Sequence = values, Label = positive ? "yes" : "no", Carrier = carrier });
        }
        return result;
    }
}
