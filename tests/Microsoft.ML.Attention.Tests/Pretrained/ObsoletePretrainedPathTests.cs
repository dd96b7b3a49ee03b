// The obsolete SelfAttentionFeaturize path with PretrainedModelPath is what these tests check.
#pragma warning disable CS0618

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Text;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// <c>SelfAttentionFeaturize</c> with the obsolete <c>PretrainedModelPath</c> forwards to <c>ApplyPretrainedEncoder</c>
/// for one release: the same vectors, bit for bit in one process, the same defaults and checks; and a pretrained
/// featurizer saved by an earlier version still loads and scores as it did.
/// </summary>
[TestClass]
public sealed class ObsoletePretrainedPathTests
{
    private static SelfAttentionFeaturizingEstimator.Options Old(PretrainedEncoderEstimator.Options o) => new()
    {
        InputColumnName = o.InputColumnName,
        OutputColumnName = o.OutputColumnName,
        LabelColumnName = o.LabelColumnName,
        TokenWeightsColumnName = o.TokenWeightsColumnName,
        PretrainedModelPath = o.ModelPath,
        LearningRate = o.LearningRate,
        NumberOfEpochs = o.NumberOfEpochs,
        BatchSize = o.BatchSize,
        EarlyStoppingPatience = o.EarlyStoppingPatience,
    };

    // The same pipeline in a new context of the same seed, through the new component or the obsolete path.
    private static (List<float[]> Vectors, List<float[]> Weights) Fitted(PretrainedEncoderEstimator.Options options, bool obsolete, List<DocumentRow> rows)
    {
        var ml = new MLContext(seed: 31);
        var data = ml.Data.LoadFromEnumerable(rows);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label");
        var model = obsolete
            ? keys.Append(ml.Transforms.Text.SelfAttentionFeaturize(Old(options))).Fit(data) as ITransformer
            : keys.Append(ml.Transforms.Text.ApplyPretrainedEncoder(options)).Fit(data);
        var scored = model.Transform(data);
        var result = (ColumnAssert.Vectors(scored, "Embedding"), ColumnAssert.Vectors(scored, "TokenWeights"));
        (model as IDisposable)?.Dispose();
        return result;
    }

    [TestMethod]
    public void FrozenAndFineTunedVectorsEqualTheNewComponentsBitForBit()
    {
        using var bert = new TempFolder();
        var folder = RandomBert.Write(bert.Path);
        var rows = PretrainedEncoderTests.Rows(60, seed: 32);
        foreach (var (name, options) in new[] { ("frozen", PretrainedEncoderTests.Frozen(folder)), ("fine-tuned", PretrainedEncoderTests.FineTuning(folder, epochs: 2)) })
        {
            options.TokenWeightsColumnName = "TokenWeights";
            var (vectors, weights) = Fitted(options, obsolete: false, rows);
            var (oldVectors, oldWeights) = Fitted(options, obsolete: true, rows);
            ColumnAssert.AreEqual(vectors, oldVectors, $"{name}: vectors");
            ColumnAssert.AreEqual(weights, oldWeights, $"{name}: token weights");
        }
    }

    [TestMethod]
    public void OptionsSetAfterTheEstimatorIsMadeApplyAtFitAsBefore()
    {
        using var bert = new TempFolder();
        var folder = RandomBert.Write(bert.Path);
        var ml = new MLContext(seed: 38);
        var options = Old(PretrainedEncoderTests.FineTuning(folder, epochs: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.SelfAttentionFeaturize(options));
        // What samples/PretrainedTextClassification does: the progress bar is attached when the fit starts.
        int reports = 0;
        options.Progress = _ => reports++;
        pipeline.Fit(ml.Data.LoadFromEnumerable(PretrainedEncoderTests.Rows(40, seed: 39)));
        Assert.IsTrue(reports > 0, "the progress callback set after the estimator was made is called");
    }

    [TestMethod]
    public void TheShortObsoleteOverloadGivesTheNewComponentsFrozenVectors()
    {
        using var bert = new TempFolder();
        var folder = RandomBert.Write(bert.Path);
        var ml = new MLContext(seed: 33);
        var data = ml.Data.LoadFromEnumerable(PretrainedEncoderTests.Rows(20, seed: 34));
        using var old = ml.Transforms.Text.SelfAttentionFeaturize("Embedding", "Text", labelColumnName: null, pretrainedModelPath: folder).Fit(data);
        using var current = ml.Transforms.Text.ApplyPretrainedEncoder("Embedding", "Text", folder).Fit(data);
        Assert.IsTrue(old.IsPretrained);
        ColumnAssert.AreEqual(ColumnAssert.Vectors(current.Transform(data), "Embedding"), ColumnAssert.Vectors(old.Transform(data), "Embedding"), "frozen vectors");
        CollectionAssert.AreEqual(current.GetTokens("alpha rivers").ToArray(), old.GetTokens("alpha rivers").ToArray());
    }

    [TestMethod]
    public void TheObsoleteOptionsKeepTheFineTuningDefaultsAndChecks()
    {
        using var bert = new TempFolder();
        var folder = RandomBert.Write(bert.Path);
        var scratch = new SelfAttentionFeaturizingEstimator.Options();
        Assert.AreEqual(5e-4, scratch.LearningRate);
        Assert.AreEqual(OptimizerKind.Adam, scratch.Optimizer);
        Assert.AreEqual(0.0, scratch.WarmupFraction);
        Assert.AreEqual(128, scratch.MaximumTokens);

        var pretrained = new SelfAttentionFeaturizingEstimator.Options { PretrainedModelPath = folder };
        var current = new PretrainedEncoderEstimator.Options();
        Assert.AreEqual(current.LearningRate, pretrained.LearningRate);
        Assert.AreEqual(current.BatchSize, pretrained.BatchSize);
        Assert.AreEqual(current.Optimizer, pretrained.Optimizer);
        Assert.AreEqual(current.WeightDecay, pretrained.WeightDecay);
        Assert.AreEqual(current.WarmupFraction, pretrained.WarmupFraction);
        Assert.AreEqual(current.NumberOfEpochs, pretrained.NumberOfEpochs);
        Assert.AreEqual(current.EarlyStoppingPatience, pretrained.EarlyStoppingPatience);
        var set = new SelfAttentionFeaturizingEstimator.Options { LearningRate = 1e-3, Optimizer = OptimizerKind.Adam, PretrainedModelPath = folder };
        Assert.AreEqual(1e-3, set.LearningRate);
        Assert.AreEqual(OptimizerKind.Adam, set.Optimizer);

        var ml = new MLContext(seed: 35);
        var attention = new SelfAttentionFeaturizingEstimator.Options { PretrainedModelPath = folder, Pooling = PoolingMode.Attention };
        Assert.AreEqual("Pooling", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.SelfAttentionFeaturize(attention)).ParamName);
        var both = new SelfAttentionFeaturizingEstimator.Options { PretrainedModelPath = folder, PretrainedVectorsPath = "vectors.vec" };
        Assert.AreEqual("PretrainedVectorsPath", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.SelfAttentionFeaturize(both)).ParamName);
        var vocabulary = new SelfAttentionFeaturizingEstimator.Options { PretrainedVocabularyPath = "vocab.txt" };
        Assert.AreEqual("PretrainedVocabularyPath", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.SelfAttentionFeaturize(vocabulary)).ParamName);
    }

    [TestMethod]
    public void TheLogSaysThePathIsObsoleteAndNamesTheOptionsThatDoNotApply()
    {
        using var bert = new TempFolder();
        var folder = RandomBert.Write(bert.Path);
        var ml = new MLContext(seed: 36);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = new SelfAttentionFeaturizingEstimator.Options { PretrainedModelPath = folder, Width = 64, NumberOfLayers = 4 };
        var data = ml.Data.LoadFromEnumerable(PretrainedEncoderTests.Rows(20, seed: 37));
        using var featurizer = ml.Transforms.Text.SelfAttentionFeaturize(options).Fit(data);
        Assert.AreEqual(RandomBert.Hidden, featurizer.OutputSize);
        string All() => string.Join("\n", messages);
        StringAssert.Contains(All(), "SelfAttentionFeaturize with PretrainedModelPath is obsolete and forwards to ApplyPretrainedEncoder");
        StringAssert.Contains(All(), "The options Width, NumberOfLayers were set but do not apply to a pretrained encoder");
        StringAssert.Contains(All(), $"width {RandomBert.Hidden}, {RandomBert.Layers} layers, {RandomBert.Heads} heads");
    }

    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", name);

    /// <summary>
    /// A pipeline (MapValueToKey → SelfAttentionFeaturize with PretrainedModelPath) saved by commit ab234f0, before the
    /// pretrained encoder became a component: a tiny BERT (width 4) fine-tuned one epoch with attention pooling, sliding
    /// windows of 8 tokens and the token-weights column, with the vectors and weights it gave then
    /// (Data/pretrained-featurizer-format-0x00010003.*). Within float rounding across machines (<see cref="StoredValues"/>).
    /// </summary>
    [TestMethod]
    public void APretrainedFeaturizerSavedBeforeTheComponentLoadsAndScoresAsItDid()
    {
        var expected = File.ReadAllLines(DataFile("pretrained-featurizer-format-0x00010003.tsv")).Select(l => l.Split('\t')).ToArray();
        var ml = new MLContext(seed: 3);
        var model = ml.Model.Load(DataFile("pretrained-featurizer-format-0x00010003.zip"), out _);
        var rows = expected.Select(e => new TextRow { Text = e[0], Label = "cat" }).ToList();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var vectors = scored.GetColumn<float[]>("Embedding").ToArray();
        var weights = scored.GetColumn<float[]>("TokenWeights").ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            StoredValues.AssertClose(StoredValues.Floats(expected[i][1]), vectors[i], $"vector of '{expected[i][0]}'");
            StoredValues.AssertClose(StoredValues.Floats(expected[i][2]), weights[i], $"token weights of '{expected[i][0]}'");
        }
        var featurizer = (SelfAttentionFeaturizingTransformer)((TransformerChain<ITransformer>)model).LastTransformer;
        Assert.IsTrue(featurizer.IsPretrained);
        // A sliding window of 8 tokens reads every word piece of a long text: 15 here.
        Assert.HasCount(15, featurizer.GetTokens(expected[2][0]));
        var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model);
        for (int i = 0; i < expected.Length; i++)
            FloatAssert.AreClose(vectors[i], engine.Predict(rows[i]).Embedding, $"row {i}: batch and single row", 2e-6);
    }

    private sealed class Prediction
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }
}
