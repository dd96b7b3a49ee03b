using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.TextFeaturization;

/// <summary>
/// A featurizer saved by the previous model format (0x00010002, before the featurizer recorded its encoder's kind),
/// written by commit 320b9e8 with the vectors and token weights it gave then (Data/featurizer-format-0x00010002.*):
/// this version loads it and scores those texts as it did, within float rounding.
/// </summary>
/// <remarks>
/// The stored numbers came from another machine: libtorch picks its kernels (vector width, summation order) by CPU,
/// so the same model gives the same values there only to a few units in the last place (an AMD EPYC gives
/// -0.19709922 where the saving machine gave -0.1970992). The tolerance, 1e-5 absolute plus 1e-4 relative, is far
/// above that rounding (about 1e-7 here) and far below any change of weights or of the computation (a changed
/// weight moves these values by 1e-2 or more).
/// </remarks>
[TestClass]
public sealed class EarlierFormatTests
{
    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "TextFeaturization", "Data", name);

    private static float[] Floats(string hex)
        => hex.Length == 0 ? Array.Empty<float>() : hex.Split(' ').Select(h => BitConverter.Int32BitsToSingle(Convert.ToInt32(h, 16))).ToArray();

    [TestMethod]
    public void AFeaturizerOfTheFormatBeforeEncoderKindsLoadsAndScoresAsItDid()
    {
        var expected = File.ReadAllLines(DataFile("featurizer-format-0x00010002.tsv")).Select(l => l.Split('\t')).ToArray();
        var ml = new MLContext(seed: 3);
        var model = ml.Model.Load(DataFile("featurizer-format-0x00010002.zip"), out _);
        var data = ml.Data.LoadFromEnumerable(expected.Select(e => new TextRow { Text = e[0], Label = "a" }));
        var scored = model.Transform(data);
        var vectors = scored.GetColumn<float[]>("Embedding").ToArray();
        var weights = scored.GetColumn<float[]>("TokenWeights").ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(Floats(expected[i][1]), vectors[i], $"vector of '{expected[i][0]}'");
            AssertClose(Floats(expected[i][2]), weights[i], $"token weights of '{expected[i][0]}'");
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int j = 0; j < expected.Length; j++)
            Assert.AreEqual(expected[j], actual[j], 1e-5 + 1e-4 * Math.Abs(expected[j]), $"{what}, element {j}");
    }
}
