using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Augmentation;

/// <summary><c>mlContext.Data.AugmentForDistillation</c>: the view it makes, its bounds, its teacher scores, its errors.</summary>
[TestClass]
public sealed class DistillationAugmentationTests
{
    private static readonly string[] Classes = SyntheticDocuments.Classes;

    private sealed class ScoredRow
    {
        public string Text { get; set; } = "";

        public uint Label { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }

    private sealed class ScoreOnly
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    internal static IDataView Keyed(MLContext ml, IEnumerable<DocumentRow> rows)
        => ml.Transforms.Conversion.MapValueToKey("Label", keyData: ml.Data.LoadFromEnumerable(Classes.Select(c => new { Value = c })))
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

    /// <summary>A bag-of-n-grams teacher: a real fitted pipeline writing Score (class probabilities) and Features (text vectors).</summary>
    internal static ITransformer Teacher(MLContext ml, IDataView keyed)
        => ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20))
            .Fit(keyed);

    private static DistillationAugmentation.Options Options(Action<DistillationAugmentation.Options>? change = null)
    {
        var o = new DistillationAugmentation.Options { TeacherVectorColumnName = "Features", CopiesPerRow = 4 };
        change?.Invoke(o);
        return o;
    }

    private static List<ScoredRow> Read(MLContext ml, IDataView view) => ml.Data.CreateEnumerable<ScoredRow>(view, reuseRowObject: false).ToList();

    [TestMethod]
    public void TheViewIsTheRowsThenTheirCopiesWithoutLabelsTheSameForASeed()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticDocuments.Generate(30, 1);
        rows[3].Text = "";   // empty text: a valid row, without copies
        var data = Keyed(ml, rows);
        var teacher = Teacher(ml, data);
        List<ScoredRow> Augmented(int seed) => Read(ml, new MLContext(seed).Data.AugmentForDistillation(teacher, data, Options()));

        var first = Augmented(7);
        CollectionAssert.AreEqual(first.Select(r => r.Text).ToList(), Augmented(7).Select(r => r.Text).ToList(), "same seed, same rows");
        CollectionAssert.AreNotEqual(first.Select(r => r.Text).ToList(), Augmented(8).Select(r => r.Text).ToList(), "another seed, other copies");
        // Reading the same view twice gives the same rows.
        var view = ml.Data.AugmentForDistillation(teacher, data, Options(o => o.Seed = 3));
        CollectionAssert.AreEqual(Read(ml, view).Select(r => r.Text).ToList(), Read(ml, view).Select(r => r.Text).ToList());

        // Each original row, with its label, is followed by its copies, whose label is missing (key 0).
        var originals = first.Where(r => r.Label != 0).ToList();
        CollectionAssert.AreEqual(rows.Select(r => r.Text).ToList(), originals.Select(r => r.Text).ToList());
        CollectionAssert.AreEqual(rows.Select(r => (uint)Array.IndexOf(Classes, r.Label) + 1).ToList(), originals.Select(r => r.Label).ToList());
        int empty = first.IndexOf(originals[3]);
        Assert.AreEqual("", first[empty].Text);
        Assert.AreNotEqual(0u, first[empty + 1].Label, "the empty text has no copies");
        int copies = first.Count - rows.Count;
        Assert.IsTrue(copies > 25 * 4 && copies <= 29 * 4, $"{copies} copies of 29 texts, 4 drawn each");
        Assert.IsTrue(first.Where(r => r.Label == 0).All(r => !rows.Any(d => d.Text == r.Text)), "a copy differs from the texts");
        Assert.IsTrue(first.Any(r => r.Text.Contains("[MASK]", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void TheTotalIsBoundedByMaximumRows()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, SyntheticDocuments.Generate(40, 2));
        var teacher = Teacher(ml, data);
        int Count(int copies, int maximum) => Read(ml, ml.Data.AugmentForDistillation(teacher, data,
            Options(o => { o.CopiesPerRow = copies; o.MaximumRows = maximum; o.Seed = 1; }))).Count;
        Assert.IsTrue(Count(20, 130) is > 40 and <= 120, "⌊(130 − 40) / 40⌋ = 2 copies per row");
        Assert.AreEqual(40, Count(20, 50), "fewer than one copy per row: the rows alone");
        Assert.AreEqual(40, Count(20, 10), "the original rows are always kept");
        Assert.AreEqual(40, Count(0, 1000));
        Assert.IsTrue(Count(3, 1000) is > 130 and <= 160);
    }

    [TestMethod]
    public void TheScoresAreTheTeachersScoresOfTheAugmentedTexts()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, SyntheticDocuments.Generate(40, 3));
        var teacher = Teacher(ml, data);
        var rows = Read(ml, ml.Data.AugmentForDistillation(teacher, data, Options(o => { o.SwapProbability = 0.3; o.MinimumWordCount = 1; })));
        var direct = ml.Data.CreateEnumerable<ScoreOnly>(teacher.Transform(ml.Data.LoadFromEnumerable(rows.Select(r => new TextOnly { Text = r.Text }))),
            reuseRowObject: false).ToList();
        Assert.AreEqual(rows.Count, direct.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(Classes.Length, rows[i].Score.Length);
            for (int c = 0; c < Classes.Length; c++)
                Assert.AreEqual(direct[i].Score[c], rows[i].Score[c], 1e-6f, $"row {i} '{rows[i].Text}' class {c}");
        }
        // Swaps happened, each to a word of the texts (the teacher's nearest by its Features column).
        var vocabulary = new HashSet<string>(SyntheticDocuments.Generate(40, 3).SelectMany(d => d.Text.ToLowerInvariant().Split(' ', ',', '.')));
        Assert.IsTrue(rows.Where(r => r.Label == 0).SelectMany(r => r.Text.Split(' ', ',', '.'))
            .Where(w => w.Length > 0 && w != "[MASK]").All(w => vocabulary.Contains(w.ToLowerInvariant())), "swapped-in words come from the texts");
        string[] original = Array.Empty<string>();
        int swaps = 0;
        foreach (var row in rows)
        {
            string[] words = row.Text.Split(' ');
            if (row.Label != 0)
                original = words;
            else if (words.Length == original.Length)   // a copy that kept all its words
                swaps += words.Zip(original).Count(p => p.First != p.Second && !p.First.StartsWith("[MASK]", StringComparison.Ordinal));
        }
        Assert.IsTrue(swaps > 20, $"{swaps} swapped words");
    }

    [TestMethod]
    public void AWordVectorFileGivesTheSwaps()
    {
        var ml = new MLContext(seed: 1);
        var docs = SyntheticDocuments.Generate(40, 4);
        var data = Keyed(ml, docs);
        var teacher = Teacher(ml, data);
        string path = Path.Combine(Path.GetTempPath(), $"augment-{Guid.NewGuid():N}.vec");
        try
        {
            // The four class words are one another's nearest words; every other word has a zero vector, so no neighbours.
            var words = docs.SelectMany(d => d.Text.ToLowerInvariant().Split(' ', ',', '.')).Where(w => w.Length > 0).Distinct().ToList();
            File.WriteAllLines(path, words.Select(w => w + (Classes.Contains(w) ? " 1 0" : " 0 0")));
            var rows = Read(ml, ml.Data.AugmentForDistillation(teacher, data, Options(o =>
            {
                o.WordVectorsPath = path;
                o.TeacherVectorColumnName = "Nope";   // not read: the file gives the vectors
                o.MaskProbability = 0;
                o.SwapProbability = 0.5;
                o.NGramProbability = 0;
                o.SwapNeighbourCount = 3;
            })));
            string[] original = Array.Empty<string>();
            int copy = 0;
            foreach (var row in rows)
            {
                if (row.Label != 0)
                {
                    original = row.Text.Split(' ');
                    continue;
                }
                copy++;
                var changed = original.Zip(row.Text.Split(' ')).Where(p => p.First != p.Second).ToList();
                Assert.IsTrue(changed.Count > 0 && changed.All(p => Classes.Contains(p.First.Trim('.')) && Classes.Contains(p.Second.Trim('.'))),
                    $"only class words swap, for class words: '{row.Text}'");
            }
            Assert.IsTrue(copy > 10, $"{copy} copies");

            // Only the most frequent words take part in swaps: "the" and another word without a neighbour, so no copy differs.
            var capped = Read(ml, ml.Data.AugmentForDistillation(teacher, data, Options(o =>
            {
                o.WordVectorsPath = path;
                o.MaskProbability = 0;
                o.SwapProbability = 0.5;
                o.NGramProbability = 0;
                o.MaximumSwapWords = 2;
            })));
            Assert.AreEqual(docs.Count, capped.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BadInputIsReportedClearly()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, SyntheticDocuments.Generate(20, 5));
        var teacher = Teacher(ml, data);
        void Fails<TException>(string expected, Action act) where TException : Exception
            => StringAssert.Contains(Assert.ThrowsExactly<TException>(act).Message, expected);
        Fails<ArgumentOutOfRangeException>("Words", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.TextColumnName = "Words")));
        Fails<ArgumentOutOfRangeException>("Grade", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.LabelColumnName = "Grade")));
        Fails<ArgumentOutOfRangeException>("Logits", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.TeacherScoreColumnName = "Logits")));
        Fails<ArgumentOutOfRangeException>("Nope", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.TeacherVectorColumnName = "Nope")));
        Fails<ArgumentOutOfRangeException>("MaskProbability", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.MaskProbability = 1.5)));
        Fails<ArgumentOutOfRangeException>("SwapProbability", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => { o.MaskProbability = 0.6; o.SwapProbability = 0.6; })));
        Fails<ArgumentOutOfRangeException>("MaximumNGramLength", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.MaximumNGramLength = 0)));
        Fails<FileNotFoundException>("missing.vec", () => ml.Data.AugmentForDistillation(teacher, data, Options(o => o.WordVectorsPath = "missing.vec")));
        var boolean = ml.Data.LoadFromEnumerable(new[] { new { Text = "good", Label = true }, new { Text = "bad", Label = false } });
        Fails<ArgumentOutOfRangeException>("MapValueToKey", () => ml.Data.AugmentForDistillation(teacher, boolean, Options()));
    }
}
