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
/// The stored numbers came from another machine; <see cref="StoredValues"/> gives the tolerance and why.
/// </summary>
[TestClass]
public sealed class EarlierFormatTests
{
    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "TextFeaturization", "Data", name);

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
            StoredValues.AssertClose(StoredValues.Floats(expected[i][1]), vectors[i], $"vector of '{expected[i][0]}'");
            StoredValues.AssertClose(StoredValues.Floats(expected[i][2]), weights[i], $"token weights of '{expected[i][0]}'");
        }
    }

}
