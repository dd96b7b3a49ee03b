using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class WordVectorFileTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class VectorRow
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void EachFrequentWordIsEncodedAloneAndScaledToAnEmbeddingsSpread()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { "The river runs. The river, red!", "Red RIVER", "a cat", "" }.Select(t => new TextRow { Text = t }));
        // Any fitted text → vector transformer will do; character n-grams give every word a distinct vector.
        var featurizer = ml.Transforms.Text.FeaturizeText("Embedding", new Microsoft.ML.Transforms.Text.TextFeaturizingEstimator.Options
        {
            WordFeatureExtractor = null,
            CharFeatureExtractor = new Microsoft.ML.Transforms.Text.WordBagEstimator.Options { NgramLength = 2 },
        }, "Text").Fit(data);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "words.vec");

        int written = WordVectorFile.Write(ml, featurizer, data, path);

        var lines = File.ReadAllLines(path);
        // river 3 times, red and the twice (ties in ordinal order); words seen once and punctuation seen once are left out.
        CollectionAssert.AreEqual(new[] { "river", "red", "the" }, lines.Skip(1).Select(l => l.Split(' ')[0]).ToArray());
        Assert.AreEqual(3, written);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ');
            var alone = ml.Data.CreateEnumerable<VectorRow>(featurizer.Transform(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = fields[0] } })), false)
                .Single().Embedding.Select(v => (double)v).ToArray();
            Assert.AreEqual($"3 {alone.Length}", lines[0]);
            double norm = Math.Sqrt(alone.Sum(v => v * v));
            for (int i = 0; i < alone.Length; i++)
                Assert.AreEqual(alone[i] / norm * Math.Sqrt(alone.Length), double.Parse(fields[i + 1], CultureInfo.InvariantCulture), 1e-6, $"{fields[0]}[{i}]");
        }
    }

    [TestMethod]
    public void TheHierarchicalAttentionNetworkStartsFromTheWrittenVectors()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticDocuments.Generate(80, seed: 4);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurizer = ml.Transforms.Text.FeaturizeText("Embedding", "Text").Fit(data);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "words.vec");
        int written = WordVectorFile.Write(ml, featurizer, data, path);
        int dimension = int.Parse(File.ReadLines(path).First().Split(' ')[1], CultureInfo.InvariantCulture);

        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        var o = HanTestSettings.Small(epochs: 1);
        o.PretrainedVectorsPath = path;
        using var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(o)).Fit(data);

        // The students' tokenizer and vocabulary rule are the file's: every vocabulary word has its vector.
        Assert.IsTrue(messages.Any(m => m.Contains($"dimension {dimension}, {written} of {written} vocabulary words found", StringComparison.Ordinal)),
            string.Join(Environment.NewLine, messages.Where(m => m.Contains("Pretrained vectors", StringComparison.Ordinal))));
    }

    private sealed class SixNumbers
    {
        [VectorType(6)]
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void AReducedDimensionKeepsThePrincipalComponents()
    {
        // Vectors c + a·u + b·w of six numbers: once normalized and centered they lie in a 3-dimensional subspace, so
        // 3 principal components keep every angle between them, and the file's cosines equal the hand-computed ones.
        var ml = new MLContext(seed: 1);
        double[] c = { 1, 0.5, -0.2, 0.3, 0, 0.1 }, u = { 0, 1, 0.4, -0.5, 0.2, 0 }, w = { 0.3, 0, 0, 1, -0.6, 0.8 };
        double[] Vector(string word)
        {
            double a = word.Length % 5 - 2, b = word[0] % 7 - 3;
            return c.Select((ci, i) => ci + a * u[i] + b * w[i]).ToArray();
        }
        var featurizer = ml.Transforms.CustomMapping<TextRow, SixNumbers>((row, output) => output.Embedding = Vector(row.Text).Select(v => (float)v).ToArray(), null)
            .Fit(ml.Data.LoadFromEnumerable(new[] { new TextRow() }));
        string[] vocabulary = { "river", "red", "the", "runs", "cat", "mat", "delta", "ox", "blue", "green" };
        var data = ml.Data.LoadFromEnumerable(vocabulary.Concat(vocabulary).Select(t => new TextRow { Text = t }));
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "words.vec");

        WordVectorFile.Write(ml, featurizer, data, path, dimension: 3);

        var lines = File.ReadAllLines(path);
        Assert.AreEqual($"{vocabulary.Length} 3", lines[0]);
        var written = lines.Skip(1).ToDictionary(l => l.Split(' ')[0], l => l.Split(' ').Skip(1).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray());
        var unit = vocabulary.ToDictionary(v => v, v => { var x = Vector(v); var n = Math.Sqrt(x.Sum(e => e * e)); return x.Select(e => e / n).ToArray(); });
        var mean = Enumerable.Range(0, 6).Select(i => unit.Values.Average(x => x[i])).ToArray();
        var centered = unit.ToDictionary(p => p.Key, p => p.Value.Select((e, i) => e - mean[i]).ToArray());
        static double Cosine(double[] x, double[] y) => x.Zip(y, (a, b) => a * b).Sum() / Math.Sqrt(x.Sum(e => e * e) * y.Sum(e => e * e));
        foreach (var a in vocabulary)
        {
            Assert.AreEqual(Math.Sqrt(3), Math.Sqrt(written[a].Sum(e => e * e)), 1e-5, $"norm of {a}");
            foreach (var b in vocabulary)
                Assert.AreEqual(Cosine(centered[a], centered[b]), Cosine(written[a], written[b]), 1e-5, $"{a} · {b}");
        }
        var tooLarge = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectorFile.Write(ml, featurizer, data, path, dimension: 7));
        StringAssert.Contains(tooLarge.Message, "more than the 6");
    }

    [TestMethod]
    public void BadColumnsAreReportedByName()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { "red river", "red river" }.Select(t => new TextRow { Text = t }));
        var featurizer = ml.Transforms.Text.FeaturizeText("Embedding", "Text").Fit(data);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "words.vec");

        var vector = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectorFile.Write(ml, featurizer, data, path, vectorColumnName: "Nope"));
        StringAssert.Contains(vector.Message, "Nope");
        var type = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectorFile.Write(ml, featurizer, data, path, vectorColumnName: "Text"));
        StringAssert.Contains(type.Message, "known-size vector of Single");
        var text = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectorFile.Write(ml, featurizer, data, path, textColumnName: "Words"));
        StringAssert.Contains(text.Message, "Words");
    }
}
