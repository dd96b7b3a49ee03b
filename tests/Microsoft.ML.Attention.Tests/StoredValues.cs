using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Floats stored by an earlier version beside a saved model (hex bits, space-separated), and the comparison with what
/// this version gives.
/// </summary>
/// <remarks>
/// The stored numbers may come from another machine: libtorch picks its kernels (vector width, summation order) by CPU,
/// so the same model gives the same values there only to a few units in the last place (an AMD EPYC gives
/// -0.19709922 where the saving machine gave -0.1970992). The tolerance, 1e-5 absolute plus 1e-4 relative, is far
/// above that rounding (about 1e-7) and far below any change of weights or of the computation (a changed weight moves
/// these values by 1e-2 or more).
/// </remarks>
internal static class StoredValues
{
    /// <summary>The floats of a stored field of hex bits ("" for none).</summary>
    public static float[] Floats(string hex)
        => hex.Length == 0 ? Array.Empty<float>() : hex.Split(' ').Select(h => BitConverter.Int32BitsToSingle(Convert.ToInt32(h, 16))).ToArray();

    /// <summary>Asserts <paramref name="actual"/> equals <paramref name="expected"/> within float rounding across machines.</summary>
    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int j = 0; j < expected.Length; j++)
            Assert.AreEqual(expected[j], actual[j], 1e-5 + 1e-4 * Math.Abs(expected[j]), $"{what}, element {j}");
    }
}
