using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>What the HAN promises beyond learning: explanations equal to the columns, the prior, the report's shading, long texts, shared models.</summary>
[TestClass]
public sealed class HanPromiseTests
{
    private static MLContext _ml = null!;
    private static List<DocumentRow> _rows = null!;
    private static ITransformer _model = null!;
    private static HierarchicalAttentionTransformer _network = null!;

    [ClassInitialize]
    public static void TrainOnce(TestContext context)
    {
        _ml = new MLContext(seed: 31);
        _rows = SyntheticDocuments.Generate(240, seed: 31);
        var chain = _ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(_ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 3)))
            .Fit(_ml.Data.LoadFromEnumerable(_rows));
        _model = chain;
        _network = chain.LastTransformer;
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public float[] SentenceWeights { get; set; } = Array.Empty<float>();
        public float[] WordWeights { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void ExplainGivesExactlyTheValuesOfTheScoreAndWeightColumns()
    {
        // Explain scores one document, as a PredictionEngine does: the two agree bit for bit. Transform scores groups
        // of documents, whose padded shapes change libtorch's summation order in the last bits.
        var rows = _rows.Take(80).ToList();
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(rows));
        var batched = new[] { "Score", "SentenceWeights", "WordWeights" }.Select(c => ColumnAssert.Vectors(scored, c)).ToArray();
        var engine = _ml.Model.CreatePredictionEngine<DocumentRow, Prediction>(_model);
        for (int i = 0; i < rows.Count; i++)
        {
            var explanation = _network.Explain(rows[i].Text);
            var explained = new[]
            {
                explanation.Probabilities.Select(p => p.Value).ToArray(),
                explanation.Sentences.Select(s => s.Weight).ToArray(),
                explanation.Sentences.SelectMany(s => s.Words.Select(w => w.Weight)).ToArray(),
            };
            var single = engine.Predict(rows[i]);
            CollectionAssert.AreEqual(single.Score, explained[0], $"row {i}: probabilities");
            CollectionAssert.AreEqual(single.SentenceWeights, explained[1], $"row {i}: sentence weights");
            CollectionAssert.AreEqual(single.WordWeights, explained[2], $"row {i}: word weights");
            for (int c = 0; c < 3; c++)
                FloatAssert.AreClose(batched[c][i], explained[c], $"row {i}, column {c}", 2e-6);
        }
    }

    [TestMethod]
    public void EmptyTextScoresTheSoftmaxOfTheClassifierBias()
    {
        var module = Internals.Field<HierarchicalAttentionModule>(_network, "_module");
        var bias = Values(Internals.Field<TorchSharp.Modules.Linear>(module, "classifier").bias!);
        var prior = Softmax(bias);
        Assert.IsFalse(prior.All(p => Math.Abs(p - prior[0]) < 1e-3), "a trained bias is not uniform, so the check has teeth");
        var engine = _ml.Model.CreatePredictionEngine<DocumentRow, Prediction>(_model);
        foreach (var text in new[] { "", null, " \n " })
        {
            var score = engine.Predict(new DocumentRow { Text = text! }).Score;
            for (int c = 0; c < prior.Length; c++)
                Assert.AreEqual(prior[c], score[c], 1e-6, $"'{text}': class {c}");
            var explained = _network.Explain(text).Probabilities.Select(p => (double)p.Value).ToArray();
            AssertClose(prior, TorchSharp.torch.tensor(explained), 1e-6);
        }
    }

    [TestMethod]
    public void ReportShadesEachWordBySentenceAndWordWeight()
    {
        var documents = _rows.Take(6).Select(r => new ReportDocument(r.Text, r.Label)).ToArray();
        var page = System.Xml.Linq.XDocument.Parse(Regex.Replace(HierarchicalAttentionReport.ToHtml(_network, documents, "Shading"), "<!DOCTYPE[^>]*>", ""));
        var sections = page.Descendants("section").ToList();
        for (int i = 0; i < documents.Length; i++)
        {
            var explanation = _network.Explain(documents[i].Text);
            // docs/explanations.md: shade ∝ √(sentence weight) × word weight, the strongest word fully shaded.
            var expected = explanation.Sentences.SelectMany(s => s.Words.Select(w => Math.Sqrt(s.Weight) * w.Weight)).ToArray();
            var strongest = expected.Max();
            var spans = sections[i].Descendants("span").Where(e => (string?)e.Attribute("class") == "word").ToList();
            Assert.HasCount(expected.Length, spans);
            var weights = explanation.Sentences.SelectMany(s => s.Words.Select(w => w.Weight)).ToArray();
            for (int k = 0; k < spans.Count; k++)
            {
                var style = (string)spans[k].Attribute("style")!;
                var alpha = double.Parse(Regex.Match(style, @"rgba\(74,127,208,([0-9.]+)\)").Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.AreEqual(expected[k] / strongest, alpha, 5e-4 + 1e-9, $"document {i}, word {k}: shade");
                Assert.AreEqual(weights[k], double.Parse((string)spans[k].Attribute("data-weight")!, CultureInfo.InvariantCulture), 5e-5, $"document {i}, word {k}: weight");
            }
            var bars = sections[i].Descendants("div").Where(e => (string?)e.Attribute("class") == "sentence-weight").ToList();
            var strongestSentence = explanation.Sentences.Max(s => s.Weight);
            for (int s = 0; s < bars.Count; s++)
            {
                var width = double.Parse(Regex.Match((string)bars[s].Element("div")!.Attribute("style")!, @"width:([0-9.]+)%").Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.AreEqual(100.0 * explanation.Sentences[s].Weight / strongestSentence, width, 0.05 + 1e-9, $"document {i}, sentence {s}: bar");
            }
        }
    }

    [TestMethod]
    public void LongDocumentsAreCutToTheLimitsAndExplainSaysSo()
    {
        var ml = new MLContext(seed: 32);
        var options = HanTestSettings.Small(epochs: 1);
        options.MaximumSentences = 2;
        options.MaximumWordsPerSentence = 3;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options))
            .Fit(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(60, seed: 33)));
        var network = model.LastTransformer;
        const string text = "The board approved the budget today. Coffee was served in the hall. Someone opened a window.";
        var explanation = network.Explain(text);
        Assert.IsTrue(explanation.Truncated);
        CollectionAssert.AreEqual(new[] { "The board approved the budget today.", "Coffee was served in the hall." },
            explanation.Sentences.Select(s => s.Text).ToArray(), "the first MaxSentences sentences");
        CollectionAssert.AreEqual(new[] { "The", "board", "approved", "Coffee", "was", "served" },
            explanation.Sentences.SelectMany(s => s.Words.Select(w => w.Text)).ToArray(), "the first MaxWordsPerSentence words of each");
        var scored = model.Transform(ml.Data.LoadFromEnumerable(new[] { new DocumentRow { Text = text } }));
        Assert.HasCount(2, ColumnAssert.Vectors(scored, "SentenceWeights")[0]);
        Assert.HasCount(6, ColumnAssert.Vectors(scored, "WordWeights")[0]);
        Assert.IsFalse(network.Explain("Board agreed. Coffee served.").Truncated, "two sentences of three tokens (the full stop is one) fit");
    }

    [TestMethod]
    public void FrozenPretrainedVectorsStayAsInTheFileAndUnfrozenOnesAreTrained()
    {
        var words = new[] { "the", "committee", "budget", "merger", "hiring", "lawsuit" };
        var random = new Random(5);
        var file = words.ToDictionary(w => w, _ => Enumerable.Range(0, 24).Select(_ => random.Next(-50, 51) / 25.0).ToArray());
        var path = Path.Combine(Path.GetTempPath(), $"han-vectors-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, file.Select(p => p.Key + " " + string.Join(" ", p.Value.Select(v => v.ToString(CultureInfo.InvariantCulture)))));
        try
        {
            foreach (var freeze in new[] { true, false })
            {
                var ml = new MLContext(seed: 34);
                var options = HanTestSettings.Small(epochs: 2);
                options.PretrainedVectorsPath = path;
                options.FreezePretrainedVectors = freeze;
                var network = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options))
                    .Fit(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(120, seed: 35))).LastTransformer;
                var weight = Values(Internals.Field<HierarchicalAttentionModule>(network, "_module").EmbeddingWeight);
                var vocabulary = Internals.Field<Vocabulary>(network, "_vocabulary");
                Microsoft.ML.Attention.Tests.Text.PretrainedRowsAssert.Check(weight, vocabulary, file, words, freeze);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ConcurrentTransformsOfOneSharedModelGiveTheSequentialResults()
    {
        // docs/persistence-and-deployment.md: one loaded model serves "/classify-many" requests (Transform) on any thread.
        var requests = Enumerable.Range(0, 6).Select(r => SyntheticDocuments.Generate(40 + 10 * r, seed: 40 + r)).ToArray();
        Prediction[] Classify(List<DocumentRow> rows)
            => _ml.Data.CreateEnumerable<Prediction>(_model.Transform(_ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToArray();
        var expected = requests.Select(Classify).ToArray();
        var results = new Prediction[requests.Length][];
        Parallel.For(0, requests.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, r => results[r] = Classify(requests[r]));
        for (int r = 0; r < requests.Length; r++)
            for (int i = 0; i < expected[r].Length; i++)
            {
                CollectionAssert.AreEqual(expected[r][i].Score, results[r][i].Score, $"request {r}, row {i}");
                CollectionAssert.AreEqual(expected[r][i].SentenceWeights, results[r][i].SentenceWeights, $"request {r}, row {i}");
                CollectionAssert.AreEqual(expected[r][i].WordWeights, results[r][i].WordWeights, $"request {r}, row {i}");
            }
    }
}
