using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

[TestClass]
public sealed class HanTrainingTests
{
    private static HierarchicalAttentionTrainer.Options Tiny(int epochs = 1)
    {
        var options = HanTestSettings.Small(epochs);
        options.EmbeddingSize = 8;
        options.WordHiddenSize = 4;
        options.SentenceHiddenSize = 4;
        options.AttentionSize = 4;
        return options;
    }

    private sealed class BinaryRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    [TestMethod]
    public void BinaryVariantProducesStandardBinaryColumnsAndLearns()
    {
        var ml = new MLContext(seed: 6);
        BinaryRow ToBinary(DocumentRow r) => new BinaryRow { Text = r.Text, Label = r.Label == "budget" || r.Label == "merger" };
        var train = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(600, seed: 6).Select(ToBinary));
        var test = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(200, seed: 7).Select(ToBinary));
        var options = HanTestSettings.Small(epochs: 6);
        options.SentenceWeightsColumnName = null;
        options.WordWeightsColumnName = null;
        var model = ml.BinaryClassification.Trainers.HierarchicalAttention(options).Fit(train);
        var scored = model.Transform(test);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Probability"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.IsGreaterThan(0.85, metrics.Accuracy, $"accuracy {metrics.Accuracy:P1}");
        Assert.IsGreaterThan(0.9, metrics.AreaUnderRocCurve);
    }

    [TestMethod]
    public void CrossValidationWorksWithTheStandardCatalog()
    {
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(400, seed: 8));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 6)));
        var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 2);
        Assert.HasCount(2, folds);
        // Four classes: chance is 25%; each fold is scored on the half it did not train on.
        foreach (var fold in folds)
            Assert.IsGreaterThan(0.6, fold.Metrics.MicroAccuracy, $"fold accuracy {fold.Metrics.MicroAccuracy:P1}");
    }

    [TestMethod]
    public void ExplicitValidationSetAndProgressCallbackAreUsed()
    {
        var ml = new MLContext(seed: 8);
        var messages = new ConcurrentQueue<string>();
        ml.Log += (_, e) => messages.Enqueue(e.Message);
        var progress = new List<TrainingProgress>();
        var options = Tiny(2);
        options.Progress = progress.Add;
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(100, seed: 9)));
        var train = keys.Transform(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(100, seed: 9)));
        var validation = keys.Transform(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(37, seed: 10)));
        ml.MulticlassClassification.Trainers.HierarchicalAttention(options).Fit(train, validation);

        Assert.IsTrue(messages.Any(m => m.Contains("100 training documents, 37 validation documents")), "the given validation set is used whole");
        Assert.IsTrue(messages.Any(m => m.Contains("Epoch 1/2") && m.Contains("validation accuracy")));
        Assert.AreEqual(4, progress.Count(p => p.Epoch == 1 && p.ValidationAccuracy == null), "one report per batch (100 documents / 32)");
        Assert.IsTrue(progress.Any(p => p.Epoch == 2 && p.ValidationAccuracy.HasValue));
    }

    [TestMethod]
    public void LongDocumentsAreCutAndTheCutIsLogged()
    {
        var ml = new MLContext(seed: 9);
        var messages = new ConcurrentQueue<string>();
        ml.Log += (_, e) => messages.Enqueue(e.Message);
        var options = Tiny();
        options.MaximumSentences = 2;
        options.MaximumWordsPerSentence = 3;
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(60, seed: 11));
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
        Assert.IsTrue(messages.Any(m => m.Contains("exceed the length limits") && m.Contains("MaximumSentences = 2") && m.Contains("MaximumWordsPerSentence = 3")));
    }

    [TestMethod]
    public void PretrainedVectorsAreLoadedAndCanBeFrozen()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vectors-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, new[] { "the 0.5 0.5 0.5", "committee 1 0 0", "budget 0 1 0", "merger 0 0 1", "unrelated 9 9 9" });
        try
        {
            var ml = new MLContext(seed: 10);
            var messages = new ConcurrentQueue<string>();
            ml.Log += (_, e) => messages.Enqueue(e.Message);
            var options = Tiny();
            options.PretrainedVectorsPath = path;
            options.FreezePretrainedVectors = true;
            var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(80, seed: 12));
            var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
            Assert.IsTrue(messages.Any(m => m.Contains("dimension 3") && m.Contains("4 of")), "dimension and coverage are logged");
            var explanation = model.LastTransformer.Explain("The committee approved the budget.");
            Assert.IsNotEmpty(explanation.Sentences);

            var missing = options;
            missing.PretrainedVectorsPath = path + ".missing";
            var error = Assert.Throws<FileNotFoundException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(missing)).Fit(data));
            StringAssert.Contains(error.Message, ".missing");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LstmEncodersWithMlpScoresTrainSaveAndLoad()
    {
        var ml = new MLContext(seed: 12);
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(300, seed: 14));
        var options = HanTestSettings.Small(epochs: 8);
        options.Recurrent = RecurrentKind.Lstm;
        options.ScoreFunction = AttentionScoreFunction.Mlp;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
        var heldOut = model.Transform(ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(200, seed: 114)));
        var accuracy = ml.MulticlassClassification.Evaluate(heldOut).MicroAccuracy;
        Assert.IsGreaterThan(0.6, accuracy, $"an LSTM network learns too: held-out accuracy {accuracy:P1} (chance 25%)");
        var scored = model.Transform(data);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 1).Model.Load(stream, out _);
        ColumnAssert.AreEqual(ColumnAssert.Vectors(scored, "Score"), ColumnAssert.Vectors(loaded.Transform(data), "Score"), "LSTM round trip");
    }

    [TestMethod]
    public void SgdWithMomentumLowersTheTrainingLoss()
    {
        var ml = new MLContext(seed: 15);
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(300, seed: 17));
        var options = HanTestSettings.Small(6);
        options.Optimizer = OptimizerKind.SgdMomentum;
        options.LearningRate = 0.3;
        options.ValidationFraction = 0;
        var losses = new Dictionary<int, double>();
        options.Progress = p => losses[p.Epoch] = p.TrainingLoss;
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
        Assert.IsLessThan(losses[1] * 0.95, losses[6], $"loss {losses[1]:F3} after epoch 1, {losses[6]:F3} after epoch 6");
    }

    private sealed class NumberLabelRow
    {
        public string Text { get; set; } = "";
        public float Label { get; set; }
    }

    [TestMethod]
    public void BadInputIsReportedClearly()
    {
        var ml = new MLContext(seed: 11);
        var rows = SyntheticDocuments.Generate(30, seed: 13);
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.MulticlassClassification.Trainers.HierarchicalAttention(Tiny());

        var notKey = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(notKey.Message, "'Label'");
        StringAssert.Contains(notKey.Message, "MapValueToKey");

        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var missingText = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.HierarchicalAttention(labelColumnName: "Label", textColumnName: "Body").Fit(keyed));
        StringAssert.Contains(missingText.Message, "'Body'");

        var numbers = ml.Data.LoadFromEnumerable(new[] { new NumberLabelRow { Text = "a b", Label = 1 } });
        var wrongLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.HierarchicalAttention().Fit(numbers));
        StringAssert.Contains(wrongLabel.Message, "Boolean");

        var oneClass = ml.Data.LoadFromEnumerable(rows.Select(r => new DocumentRow { Text = r.Text, Label = "budget" }));
        var single = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(oneClass));
        StringAssert.Contains(single.Message, "single class");

        var empty = ml.Data.LoadFromEnumerable(new List<DocumentRow>());
        var noRows = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(empty);
        var emptyError = Assert.Throws<InvalidOperationException>(() => trainer.Fit(noRows));
        StringAssert.Contains(emptyError.Message, "no rows");

        var rare = ml.Data.LoadFromEnumerable(new[] { new DocumentRow { Text = "alpha", Label = "a" }, new DocumentRow { Text = "beta", Label = "b" } });
        var vocabulary = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(rare));
        StringAssert.Contains(vocabulary.Message, "vocabulary is empty");

        Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { ScoreFunction = AttentionScoreFunction.Dot }));
        Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options { BatchSize = 0 }));
    }
}
