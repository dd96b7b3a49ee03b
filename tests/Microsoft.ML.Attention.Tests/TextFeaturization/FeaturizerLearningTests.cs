using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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

    /// <summary>In-sample loss of predicting each word from its context key's word frequencies.</summary>
    private static double CrossEntropy(IEnumerable<(string Context, string Word)> tokens)
    {
        var all = tokens.ToArray();
        var counts = all.GroupBy(t => t.Context).ToDictionary(g => g.Key, g => g.GroupBy(t => t.Word).ToDictionary(w => w.Key, w => (double)w.Count()));
        return all.Average(t => -Math.Log(counts[t.Context][t.Word] / counts[t.Context].Values.Sum()));
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
        // Baselines that read no context: word frequencies (about 3.03 here: alpha and beta once per text, 20
        // fillers), and word frequencies by position and text length, fitted on these very texts (about 2.9; the
        // encoder sees positions and lengths too). Reading the other words does better: a text holds alpha and beta
        // exactly once, so a visible alpha rules alpha out at the masked position, and a hidden one is certain.
        // Measured: 2.742 against 3.034 and 2.843 (the positional baseline is fitted in-sample, so it is optimistic).
        var texts = OrderTask.Generate(600, seed: 3).Select(r => r.Text.Split(' ')).ToArray();
        var frequencyOnly = CrossEntropy(texts.SelectMany(t => t.Select(w => ("", w))));
        var byPosition = CrossEntropy(texts.SelectMany(t => t.Select((w, i) => ($"{i}/{t.Length}", w))));
        Assert.IsLessThan(byPosition - 0.05, after,
            $"masked-token loss {after:F3} against {frequencyOnly:F3} for word frequencies and {byPosition:F3} for frequencies by position");
        Assert.AreEqual(32, ColumnAssert.Vectors(model.Transform(data), "Embedding")[0].Length);
    }
}
