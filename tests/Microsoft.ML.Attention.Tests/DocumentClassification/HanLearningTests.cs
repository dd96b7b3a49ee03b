using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

[TestClass]
public sealed class HanLearningTests
{
    [TestMethod]
    public void LearnsTheTaskAndAttendsToTheDecisiveSentence()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(800, seed: 1));
        var testRows = SyntheticDocuments.Generate(300, seed: 2);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelText", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsGreaterThan(0.9, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy:P1}");

        var sentenceWeights = ColumnAssert.Vectors(scored, "SentenceWeights");
        int onDecisive = testRows.Select((row, i) => Array.IndexOf(sentenceWeights[i], sentenceWeights[i].Max()) == row.DecisiveSentence).Count(x => x);
        Assert.IsGreaterThan(0.85, onDecisive / (double)testRows.Count, $"largest sentence weight on the decisive sentence for {onDecisive} of {testRows.Count}");

        var predicted = ml.Data.CreateEnumerable<PredictedText>(scored, reuseRowObject: false).Select(p => p.PredictedLabelText).ToArray();
        Assert.IsGreaterThan(0.9, predicted.Zip(testRows).Count(p => p.First == p.Second.Label) / (double)testRows.Count,
            "MapKeyToValue on PredictedLabel gives the original label names");
    }

    private sealed class PredictedText
    {
        public string PredictedLabelText { get; set; } = "";
    }
}
