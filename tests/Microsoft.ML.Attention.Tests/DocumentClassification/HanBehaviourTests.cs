using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>Behaviour of a trained network; one small model is trained once for the whole class.</summary>
[TestClass]
public sealed class HanBehaviourTests
{
    private static MLContext _ml = null!;
    private static List<DocumentRow> _rows = null!;
    private static IDataView _data = null!;
    private static ITransformer _model = null!;
    private static HierarchicalAttentionTransformer _network = null!;

    [ClassInitialize]
    public static void TrainOnce(TestContext context)
    {
        _ml = new MLContext(seed: 3);
        _rows = SyntheticDocuments.Generate(400, seed: 3);
        _rows.Add(new DocumentRow { Text = "", Label = "budget" });
        _rows.Add(new DocumentRow { Text = "   ", Label = "merger" });
        _rows.Add(new DocumentRow { Text = null!, Label = "hiring" });
        _data = _ml.Data.LoadFromEnumerable(_rows);
        var chain = _ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(_ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 4)))
            .Fit(_data);
        _model = chain;
        _network = chain.LastTransformer;
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public uint PredictedLabel { get; set; }
        public float[] SentenceWeights { get; set; } = Array.Empty<float>();
        public float[] WordWeights { get; set; } = Array.Empty<float>();
        public float[] WordWeightsSentenceLengths { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void GroupsScoredConcurrentlyMatchOneThreadAndLeaveTheThreadCountAsItWas()
    {
        var rows = SyntheticDocuments.Generate(2000, seed: 9);
        var data = _ml.Data.LoadFromEnumerable(rows);
        var documents = rows.Select(r => _network.Encode(r.Text).Ids).ToArray();
        Assert.IsGreaterThan(1, Microsoft.ML.Attention.DocumentClassification.DocumentBatch.ScoringGroups(documents, HierarchicalAttentionTransformer.ScoringWordBudget).Count(), "the batch must split into groups");
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            var concurrent = ColumnAssert.Vectors(_model.Transform(data), "Score");
            Assert.AreEqual(2, torch.get_num_threads());
            ColumnAssert.AreEqual(concurrent, ColumnAssert.Vectors(_model.Transform(data), "Score"), "repeated concurrent scoring");
            torch.set_num_threads(1);
            var sequential = ColumnAssert.Vectors(_model.Transform(data), "Score");
            for (int i = 0; i < sequential.Count; i++)
                FloatAssert.AreClose(sequential[i], concurrent[i], $"row {i}", 1e-5);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [TestMethod]
    public void EmptyOrMissingTextIsScoredWithThePrior()
    {
        var engine = _ml.Model.CreatePredictionEngine<DocumentRow, Prediction>(_model);
        var empty = engine.Predict(new DocumentRow { Text = "" });
        var missing = engine.Predict(new DocumentRow { Text = null! });
        var blank = engine.Predict(new DocumentRow { Text = " \n " });
        Assert.AreEqual(1.0, empty.Score.Sum(), 1e-5);
        Assert.IsTrue(empty.Score.All(float.IsFinite));
        CollectionAssert.AreEqual(empty.Score, missing.Score);
        CollectionAssert.AreEqual(empty.Score, blank.Score);
        Assert.IsEmpty(empty.SentenceWeights);
        Assert.IsEmpty(empty.WordWeights);
    }

    [TestMethod]
    public void AttentionColumnsAreConsistent()
    {
        var scored = _model.Transform(_data);
        var sentences = ColumnAssert.Vectors(scored, "SentenceWeights");
        var words = ColumnAssert.Vectors(scored, "WordWeights");
        var lengths = ColumnAssert.Vectors(scored, "WordWeightsSentenceLengths");
        for (int i = 0; i < 50; i++)
        {
            var explanation = _network.Explain(_rows[i].Text);
            Assert.HasCount(explanation.Sentences.Count, sentences[i]);
            Assert.AreEqual(1.0, sentences[i].Sum(w => (double)w), 1e-5);
            CollectionAssert.AreEqual(explanation.Sentences.Select(s => (float)s.Words.Count).ToArray(), lengths[i]);
            Assert.AreEqual((int)lengths[i].Sum(), words[i].Length);
            int offset = 0;
            foreach (var n in lengths[i])
            {
                Assert.AreEqual(1.0, words[i].Skip(offset).Take((int)n).Sum(w => (double)w), 1e-5, "word weights of a sentence sum to 1");
                offset += (int)n;
            }
        }
    }

    [TestMethod]
    public void ExplanationAlignsWeightsToTheOriginalText()
    {
        var text = _rows[0].Text;
        var explanation = _network.Explain(text);
        Assert.AreEqual(text, explanation.Text);
        Assert.IsNotEmpty(explanation.Sentences);
        Assert.AreEqual(1.0, explanation.Probabilities.Sum(p => (double)p.Value), 1e-5);
        Assert.AreEqual(explanation.Probabilities.OrderByDescending(p => p.Value).First().Key, explanation.PredictedClass);
        CollectionAssert.AreEquivalent(SyntheticDocuments.Classes, explanation.Probabilities.Select(p => p.Key).ToArray());
        foreach (var sentence in explanation.Sentences)
        {
            Assert.AreEqual(sentence.Text, text.Substring(sentence.Start, sentence.Length));
            foreach (var word in sentence.Words)
            {
                Assert.AreEqual(word.Text, text.Substring(word.Start, word.Length));
                Assert.IsTrue(word.Start >= sentence.Start && word.Start + word.Length <= sentence.Start + sentence.Length);
            }
        }
        Assert.IsFalse(explanation.Truncated);

        var empty = _network.Explain(null);
        Assert.IsEmpty(empty.Sentences);
        Assert.AreEqual("", empty.Text);
    }

    [TestMethod]
    public void OutputsCarryTheClassNamesForEvaluationAndKeyMapping()
    {
        var scored = _model.Transform(_data);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        var names = slotNames.DenseValues().Select(n => n.ToString()).ToArray();
        CollectionAssert.AreEqual(_network.ClassNames.ToArray(), names);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        CollectionAssert.AreEqual(names, keyValues.DenseValues().Select(n => n.ToString()).ToArray());
        var metrics = _ml.MulticlassClassification.Evaluate(scored);
        Assert.HasCount(names.Length, metrics.PerClassLogLoss);
    }

    [TestMethod]
    public void HtmlReportIsSelfContainedAndShowsEveryWordWithItsWeight()
    {
        var documents = _rows.Take(5).Select(r => new ReportDocument(r.Text, r.Label)).Append(new ReportDocument("", "budget"))
            .Append(new ReportDocument("Fish & chips <cheap>. \"Quoted\" text!", null)).ToArray();
        var html = HierarchicalAttentionReport.ToHtml(_network, documents, "Test report");

        var settings = new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Ignore };
        var page = System.Xml.Linq.XDocument.Load(System.Xml.XmlReader.Create(new StringReader(html), settings));
        var sections = page.Descendants("section").ToList();
        Assert.HasCount(documents.Length, sections, "one section per document");
        for (int i = 0; i < documents.Length; i++)
        {
            var explanation = _network.Explain(documents[i].Text);
            var words = sections[i].Descendants("span").Where(e => (string?)e.Attribute("class") == "word").ToList();
            Assert.HasCount(explanation.Sentences.Sum(s => s.Words.Count), words);
            CollectionAssert.AreEqual(explanation.Sentences.SelectMany(s => s.Words.Select(w => w.Text)).ToArray(), words.Select(w => w.Value).ToArray());
            var sentences = sections[i].Descendants("div").Where(e => (string?)e.Attribute("class") == "sentence").ToList();
            Assert.HasCount(explanation.Sentences.Count, sentences);
            StringAssert.Contains(sections[i].Value, "Predicted: " + explanation.PredictedClass);
            if (documents[i].TrueLabel != null)
                Assert.AreEqual(documents[i].TrueLabel != explanation.PredictedClass, ((string)sections[i].Attribute("class")!).Contains("wrong"));
        }
        // The text of the last document survives escaping exactly.
        var lastText = string.Concat(sections[^1].Descendants("div").Where(e => (string?)e.Attribute("class") == "sentence")
            .Select(d => d.Elements("div").Last().Value));
        Assert.AreEqual("Fish & chips <cheap>.\"Quoted\" text!", lastText);
        Assert.IsFalse(html.Contains("http://") || html.Contains("https://") || html.Contains("<link") || html.Contains("<script"), "no external assets");
    }

    // Scoring through Transform and PredictionEngine is checked for every component in Contracts/ComponentContractTests.
    [TestMethod]
    public void ExplainingLeavesNoTensorsBehind()
        => LiveTensors.AssertNoGrowth(() =>
        {
            foreach (var row in _rows.Take(10))
                _network.Explain(row.Text);
        }, passes: 2, "HAN explanations");
}
