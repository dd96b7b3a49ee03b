using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>
/// A HAN pipeline (MapValueToKey → HAN with sentence and word weights) saved by commit 66c6463, before the loaders'
/// stricter checks and before the architecture record held a temperature, with the scores and attention weights it gave
/// then (Data/han-format-0x00010003.*): this version loads it and scores those texts as it did, within float rounding
/// (<see cref="StoredValues"/>: another machine's kernels round differently).
/// </summary>
[TestClass]
public sealed class HanEarlierFormatTests
{
    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "DocumentClassification", "Data", name);

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void AHanSavedBeforeTheTemperatureLoadsAndScoresAsItDid()
    {
        var expected = File.ReadAllLines(DataFile("han-format-0x00010003.tsv")).Select(l => l.Split('\t')).ToArray();
        var ml = new MLContext(seed: 3);
        var model = ml.Model.Load(DataFile("han-format-0x00010003.zip"), out _);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(expected.Select(e => new Row { Label = "budget", Text = e[0] })));
        var columns = new[] { "Score", "SentenceWeights", "WordWeights" };
        var values = columns.Select(c => scored.GetColumn<float[]>(c).ToArray()).ToArray();
        for (int i = 0; i < expected.Length; i++)
            for (int c = 0; c < columns.Length; c++)
                StoredValues.AssertClose(StoredValues.Floats(expected[i][c + 1]), values[c][i], $"{columns[c]} of '{expected[i][0]}'");
    }
}
