using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Infrastructure;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary><c>PretrainedTextClassifier</c>: fine-tuning that keeps its head, on the multiclass and binary catalogs.</summary>
[TestClass]
public sealed class PretrainedTextClassifierTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void WriteModel(TestContext _) => _folder = RandomBert.Write(Path.Combine(Path.GetTempPath(), $"random-bert-classifier-{Environment.ProcessId}"));

    [ClassCleanup]
    public static void DeleteModel() => Directory.Delete(_folder, recursive: true);

    /// <summary>The encoder tests' fine-tuning settings for the small random model.</summary>
    internal static PretrainedTextClassifierTrainer.Options Settings(string folder, int epochs = 8)
    {
        var encoder = PretrainedEncoderTests.FineTuning(folder, epochs);
        return new PretrainedTextClassifierTrainer.Options
        {
            ModelPath = encoder.ModelPath,
            LearningRate = encoder.LearningRate,
            NumberOfEpochs = encoder.NumberOfEpochs,
            BatchSize = encoder.BatchSize,
            EarlyStoppingPatience = encoder.EarlyStoppingPatience,
        };
    }

    private sealed class BinaryRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private sealed class MulticlassPrediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public string PredictedLabel { get; set; } = "";
    }

    private static List<uint> Keys(IDataView data, string column)
    {
        var keys = new List<uint>();
        using var cursor = data.GetRowCursor(new[] { data.Schema[column] });
        var getter = cursor.GetGetter<uint>(data.Schema[column]);
        uint key = 0;
        while (cursor.MoveNext())
        {
            getter(ref key);
            keys.Add(key);
        }
        return keys;
    }

    private static void AssertLabelsAreArgmaxOfScores(IDataView scored)
    {
        var scores = ColumnAssert.Vectors(scored, "Score");
        var keys = Keys(scored, "PredictedLabel");
        for (int i = 0; i < scores.Count; i++)
            Assert.AreEqual((uint)Array.IndexOf(scores[i], scores[i].Max()) + 1, keys[i], $"row {i}: PredictedLabel is the argmax of Score");
    }

    [TestMethod]
    public void KeptHeadLearnsWordOrderAndTemperatureChangesScoresNotLabels()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 21));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 22));
        ITransformer Fit(PretrainedTextClassifierTrainer.Options options) => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.PretrainedTextClassifier(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);

        var frozenOptions = Settings(_folder, epochs: 3);
        frozenOptions.FreezeEncoder = true;
        var frozen = ml.MulticlassClassification.Evaluate(Fit(frozenOptions).Transform(test)).MicroAccuracy;
        var unscaledOptions = Settings(_folder);
        unscaledOptions.ScaleTemperature = false;
        var model = Fit(unscaledOptions);
        var scored = model.Transform(test);
        var fineTuned = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
        Console.WriteLine($"head on frozen vectors {frozen:P1}, fine-tuned with its head {fineTuned:P1}");
        Assert.IsTrue(fineTuned >= 0.9, $"fine-tuned accuracy {fineTuned:P1}");
        Assert.IsTrue(fineTuned >= frozen + 0.2, $"fine-tuned {fineTuned:P1} vs head on the frozen encoder {frozen:P1}");

        // The class names travel as slot names and key values: MapKeyToValue gives the user's labels back.
        var engine = ml.Model.CreatePredictionEngine<TextRow, MulticlassPrediction>(model);
        var row = OrderTask.Generate(1, seed: 23)[0];
        var prediction = engine.Predict(row);
        CollectionAssert.Contains(new[] { "alpha-first", "beta-first" }, prediction.PredictedLabel);
        var classifier = ((IEnumerable<ITransformer>)model).OfType<PretrainedTextClassifierTransformer>().Single();
        CollectionAssert.AreEquivalent(new[] { "alpha-first", "beta-first" }, classifier.ClassNames.ToArray());
        Assert.AreEqual(classifier.ClassNames[Array.IndexOf(prediction.Score, prediction.Score.Max())], prediction.PredictedLabel);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(test).Transform(test);
        var classifierOnly = classifier.Transform(keyed);
        AssertLabelsAreArgmaxOfScores(classifierOnly);
        Assert.IsTrue(ml.MulticlassClassification.EvaluateCalibration(classifierOnly).ExpectedCalibrationError >= 0);

        // The same seed fine-tunes the same weights; the temperature (fitted by default) then divides every logit: labels
        // stay, scores move.
        Assert.IsTrue(new PretrainedTextClassifierTrainer.Options().ScaleTemperature, "temperature scaling is the default");
        var scaledModel = Fit(Settings(_folder));
        var scaled = ((IEnumerable<ITransformer>)scaledModel).OfType<PretrainedTextClassifierTransformer>().Single();
        Assert.AreEqual(1.0, classifier.Temperature);
        Assert.AreNotEqual(1.0, scaled.Temperature, "a temperature was fitted on the validation rows");
        var scaledScored = scaled.Transform(keyed);
        AssertLabelsAreArgmaxOfScores(scaledScored);
        CollectionAssert.AreEqual(Keys(classifierOnly, "PredictedLabel"), Keys(scaledScored, "PredictedLabel"), "temperature scaling keeps the predicted labels");
        var before = ColumnAssert.Vectors(classifierOnly, "Score");
        var after = ColumnAssert.Vectors(scaledScored, "Score");
        Assert.IsTrue(before.Zip(after).Any(p => Math.Abs(p.First[0] - p.Second[0]) > 1e-3), "temperature scaling changes the scores");
        for (int i = 0; i < before.Count; i++)
        {
            // log(p0 / p1) is the logit difference divided by T (where neither probability underflows float).
            double logRatio(float[] p) => Math.Log(p[0]) - Math.Log(p[1]);
            if (Math.Min(before[i].Min(), after[i].Min()) > 1e-4)
                Assert.AreEqual(logRatio(before[i]), logRatio(after[i]) * scaled.Temperature, 1e-3 * Math.Max(1, Math.Abs(logRatio(before[i]))), $"row {i}");
        }

        // The temperature is saved: a loaded model scores as the fitted one, here and in a fresh process.
        using var stream = new MemoryStream();
        ml.Model.Save(scaledModel, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 5).Model.Load(stream, out _);
        var rows = PretrainedEncoderTests.Rows(40, seed: 24);
        var data = ml.Data.LoadFromEnumerable(rows);
        ColumnAssert.AreEqual(ColumnAssert.Vectors(scaledModel.Transform(data), "Score"), ColumnAssert.Vectors(loaded.Transform(data), "Score"), "Score after loading");
        Assert.AreEqual(scaled.Temperature, ((IEnumerable<ITransformer>)loaded).OfType<PretrainedTextClassifierTransformer>().Single().Temperature);
        FreshProcess.AssertScoresIdentically<DocumentRow>(ml, scaledModel, data, "Score");
    }

    [TestMethod]
    public void BinaryClassifierGivesMarginProbabilityAndLabelAndSurvivesSaving()
    {
        var ml = new MLContext(seed: 2);
        BinaryRow[] Rows(int count, int seed) => OrderTask.Generate(count, seed).Select(r => new BinaryRow { Text = r.Text, Label = r.Label == "alpha-first" })
            .Append(new BinaryRow { Text = "", Label = true }).Append(new BinaryRow { Text = null!, Label = false }).ToArray();
        var train = ml.Data.LoadFromEnumerable(Rows(400, seed: 31));
        var test = ml.Data.LoadFromEnumerable(Rows(200, seed: 32));
        var options = Settings(_folder);
        options.ScaleTemperature = true;
        using var model = ml.BinaryClassification.Trainers.PretrainedTextClassifier(options).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Console.WriteLine($"binary accuracy {metrics.Accuracy:P1}, temperature {model.Temperature:G4}");
        Assert.IsTrue(metrics.Accuracy >= 0.9, $"accuracy {metrics.Accuracy:P1}");
        CollectionAssert.AreEqual(new[] { "False", "True" }, model.ClassNames.ToArray());

        var score = ml.Data.CreateEnumerable<BinaryScore>(scored, reuseRowObject: false).ToList();
        foreach (var (s, i) in score.Select((s, i) => (s, i)))
        {
            Assert.AreEqual(s.Score > 0, s.PredictedLabel, $"row {i}: the label follows the margin's sign");
            Assert.AreEqual(1 / (1 + Math.Exp(-s.Score)), s.Probability, 1e-5, $"row {i}: the probability is the margin's sigmoid");
        }
        Assert.IsTrue(ml.BinaryClassification.EvaluateCalibration(scored).ExpectedCalibrationError >= 0);

        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 9).Model.Load(stream, out _);
        var reloaded = ml.Data.CreateEnumerable<BinaryScore>(loaded.Transform(test), reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(score.Select(s => s.Score).ToArray(), reloaded.Select(s => s.Score).ToArray(), "scores after loading");
    }

    private sealed class BinaryScore
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    [TestMethod]
    public void ADamagedHeadTemperatureIsRefusedAtLoadNamingTheHead()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed: 2));
        var options = Settings(_folder, epochs: 1);
        options.ScaleTemperature = false;   // a temperature of exactly 1 to edit
        using var model = ml.MulticlassClassification.Trainers.PretrainedTextClassifier(options)
            .Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
        // The same length, so only the value changes: a temperature of 0 would divide the logits by zero.
        var zip = ModelZip.EditEntry(ModelZip.Save(ml, model, data), "ClassifierHead", bytes =>
        {
            var text = System.Text.Encoding.Latin1.GetString(bytes);
            StringAssert.Contains(text, "\"Temperature\":1");
            return System.Text.Encoding.Latin1.GetBytes(text.Replace("\"Temperature\":1", "\"Temperature\":0"));
        });
        ModelZip.Refused(zip, "classifier head", "Temperature 0 must be a positive number");
    }

    [TestMethod]
    public void BadColumnsFailWithSchemaErrorsNamingTheColumn()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 1));
        var trainer = ml.MulticlassClassification.Trainers.PretrainedTextClassifier("Label", "Text", _folder);
        var notKey = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(notKey.Message, "Label");
        StringAssert.Contains(notKey.Message, "key type");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(PretrainedEncoderTests.ShapeOf(data.Schema)));

        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var binary = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.PretrainedTextClassifier("Label", "Text", _folder).Fit(keyed));
        StringAssert.Contains(binary.Message, "Boolean");
        var missingText = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.PretrainedTextClassifier("Label", "Review", _folder).Fit(keyed));
        StringAssert.Contains(missingText.Message, "Review");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PretrainedTextClassifier("Label", "Text", ""));

        // The estimator's shape is the fitted transformer's: Score with slot names, PredictedLabel a key with key values.
        var shape = ml.MulticlassClassification.Trainers.PretrainedTextClassifier("Label", "Text", _folder).GetOutputSchema(PretrainedEncoderTests.ShapeOf(keyed.Schema));
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "Score").Kind);
        Assert.IsTrue(shape.Single(c => c.Name == "PredictedLabel").IsKey);
    }
}
