using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Reads whole columns of an IDataView for comparisons.</summary>
public static class ColumnAssert
{
    public static List<float[]> Vectors(IDataView data, string column) => ScoreDump.Vectors(data, column);

    public static void AreEqual(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, string message)
    {
        Assert.HasCount(expected.Count, actual, message);
        for (int i = 0; i < expected.Count; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"{message}, row {i}");
    }
}

/// <summary>Float comparisons that allow for the rounding of matrix products of different shapes.</summary>
public static class FloatAssert
{
    public static void AreClose(float[] expected, float[] actual, string message, double tolerance = 1e-5)
    {
        Assert.HasCount(expected.Length, actual, message);
        for (int i = 0; i < expected.Length; i++)
        {
            var allowed = tolerance * System.Math.Max(1.0, System.Math.Abs(expected[i]));
            Assert.IsLessThanOrEqualTo(allowed, System.Math.Abs(expected[i] - actual[i]), $"{message}, element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
