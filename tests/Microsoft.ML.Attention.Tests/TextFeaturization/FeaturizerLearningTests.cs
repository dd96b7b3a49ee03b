using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.TextFeaturization;

[TestClass]
public sealed class FeaturizerLearningTests
{
    [TestMethod]
    public void SupervisedEncoderSolvesAnOrderTaskThatBagOfWordsCannot()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(1200, seed: 1));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 2));

        var attention = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(FeaturizerTestSettings.Small()))
            .Append(ml.Transforms.CopyColumns("Features", "Embedding"))
            .AppendCacheCheckpoint(ml)   // SDCA passes over the data many times; encode each text once
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        var attentionAccuracy = ml.MulticlassClassification.Evaluate(attention.Fit(train).Transform(test)).MicroAccuracy;

        var bagOfWords = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        var bagAccuracy = ml.MulticlassClassification.Evaluate(bagOfWords.Fit(train).Transform(test)).MicroAccuracy;

        Assert.IsGreaterThan(0.85, attentionAccuracy, $"self-attention features + SDCA: {attentionAccuracy:P1}");
        Assert.IsLessThan(0.75, bagAccuracy, $"FeaturizeText + SDCA should stay far below: {bagAccuracy:P1}");
    }

    [TestMethod]
    public void MaskedTokenTrainingLowersTheHeldOutLoss()
    {
        var ml = new MLContext(seed: 2);
        var messages = new ConcurrentQueue<string>();
        ml.Log += (_, e) => messages.Enqueue(e.Message);
        var options = FeaturizerTestSettings.Small(label: null, epochs: 6);
        options.ValidationFraction = 0.2;
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(600, seed: 3));
        var model = ml.Transforms.Text.SelfAttentionFeaturize(options).Fit(data);
        double Loss(string when) => double.Parse(Regex.Match(messages.Single(m => m.Contains($"held-out text {when} training")),
            @"training: ([0-9]+\.[0-9]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var before = Loss("before");
        var after = Loss("after");
        // Fillers are drawn uniformly from 20 words, so no model gets far below ln 20 = 3.0 on them.
        Assert.IsLessThan(before * 0.9, after, $"masked-token loss on held-out text: {before:F3} before, {after:F3} after");
        // A predictor that knows only word frequencies has the unigram entropy as its expected loss on masked words
        // (about 3.03 here: alpha and beta once per text, 20 fillers). Reading the context does better: a text holds
        // alpha and beta exactly once, so a visible alpha rules alpha out at the masked position, and a hidden one is certain.
        var counts = OrderTask.Generate(600, seed: 3).SelectMany(r => r.Text.Split(' ')).GroupBy(w => w).Select(g => (double)g.Count()).ToArray();
        var frequencyOnly = -counts.Sum(c => c / counts.Sum() * Math.Log(c / counts.Sum()));
        Assert.IsLessThan(frequencyOnly - 0.15, after, $"masked-token loss {after:F3} against {frequencyOnly:F3} for word frequencies alone");
        Assert.AreEqual(32, ColumnAssert.Vectors(model.Transform(data), "Embedding")[0].Length);
    }
}
