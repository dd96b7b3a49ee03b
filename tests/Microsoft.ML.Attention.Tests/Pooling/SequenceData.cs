using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pooling;

/// <summary>A row with a variable-length sequence of vectors and a label.</summary>
public sealed class SequenceRow
{
    public float[] Sequence { get; set; } = Array.Empty<float>();

    public string Label { get; set; } = "";
}

/// <summary>Synthetic sequences: the label is carried by one vector placed at a random position among distractors.</summary>
public static class SequenceData
{
    public static List<SequenceRow> Generate(int rows, int vectorSize, int seed, int minLength = 3, int maxLength = 8)
    {
        var random = new Random(seed);
        var result = new List<SequenceRow>();
        for (int r = 0; r < rows; r++)
        {
            int length = random.Next(minLength, maxLength + 1);
            int label = random.Next(2);
            int carrier = random.Next(length);
            var values = new float[length * vectorSize];
            for (int t = 0; t < length; t++)
                for (int d = 0; d < vectorSize; d++)
                    values[t * vectorSize + d] = (float)(random.NextDouble() * 2 - 1);
            // The carrier has a large marker in dimension 0 and the label's sign in dimension 1.
            if (length > 0)
            {
                values[carrier * vectorSize] = 3f;
                values[carrier * vectorSize + 1] = label == 1 ? 2f : -2f;
            }
            result.Add(new SequenceRow { Sequence = values, Label = label == 1 ? "yes" : "no" });
        }
        return result;
    }
}
