using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Reference;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;

namespace Microsoft.ML.Attention.Tests.TextFeaturization;

/// <summary>
/// What the featurizer's options promise, checked against float64 references built from the fitted encoder's
/// weights: pooling, long-text handling, the token-weights source, pretrained vectors, the seed, threads, labels.
/// </summary>
[TestClass]
public sealed class FeaturizerPromiseTests
{
    private const int MaxTokens = 8;   // 7 words after the classification token: the task's texts of 8-12 words are long

    private sealed class Output
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
        public float[] TokenWeights { get; set; } = Array.Empty<float>();
    }

    /// <summary>A tiny encoder trained for one epoch: the references only need its weights to be fixed.</summary>
    private static SelfAttentionFeaturizingEstimator.Options Tiny(string? label = "Label")
    {
        var options = FeaturizerTestSettings.Small(label, epochs: 1);
        options.Width = 8;
        options.NumberOfHeads = 2;
        options.NumberOfLayers = 2;
        options.FeedForwardSize = 16;
        options.MaximumTokens = MaxTokens;
        options.TokenWeightsColumnName = "TokenWeights";
        return options;
    }

    private static (MLContext Ml, List<TextRow> Rows, SelfAttentionFeaturizingTransformer Featurizer) Fit(SelfAttentionFeaturizingEstimator.Options options, int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var rows = OrderTask.Generate(60, seed: 21);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        return (ml, rows, ml.Transforms.Text.SelfAttentionFeaturize(options).Fit(data));
    }

    /// <summary>The windows the options promise, built here from the words: [classification token, ids...].</summary>
    private static long[][] ExpectedWindows(string text, Vocabulary vocabulary, int classificationToken, LongTextHandling longText)
    {
        var ids = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => (long)vocabulary.GetId(w)).ToArray();
        const int budget = MaxTokens - 1;
        IEnumerable<long[]> windows;
        if (ids.Length <= budget)
            windows = new[] { ids };
        else if (longText == LongTextHandling.HeadAndTail)
            windows = new[] { ids.Take(4).Concat(ids.Skip(ids.Length - 3)).ToArray() };   // first 4 and last 3 words
        else
            windows = ids.Chunk(budget);
        return windows.Select(w => w.Prepend(classificationToken).ToArray()).ToArray();
    }

    private static double[] Pool(double[][] states, PoolingMode pooling)
    {
        var tokens = states.Skip(1).ToArray();   // the classification token is not pooled (except by FirstToken)
        int width = states[0].Length;
        return pooling switch
        {
            PoolingMode.FirstToken => states[0],
            PoolingMode.Mean => Enumerable.Range(0, width).Select(d => tokens.Select(t => t[d]).DefaultIfEmpty(0).Average()).ToArray(),
            PoolingMode.Max => Enumerable.Range(0, width).Select(d => tokens.Select(t => t[d]).DefaultIfEmpty(0).Max()).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(pooling)),
        };
    }

    [TestMethod]
    [DataRow(PoolingMode.Mean, LongTextHandling.HeadAndTail, TokenAttentionSource.AllLayers)]
    [DataRow(PoolingMode.Max, LongTextHandling.SlidingWindow, TokenAttentionSource.LastLayer)]
    [DataRow(PoolingMode.FirstToken, LongTextHandling.HeadAndTail, TokenAttentionSource.LastLayer)]
    [DataRow(PoolingMode.Mean, LongTextHandling.SlidingWindow, TokenAttentionSource.AllLayers)]
    public void VectorsAndTokenWeightsAreWhatTheOptionsName(PoolingMode pooling, LongTextHandling longText, TokenAttentionSource source)
    {
        var options = Tiny();
        options.Pooling = pooling;
        options.LongText = longText;
        options.TokenWeightsSource = source;
        var (ml, rows, featurizer) = Fit(options);
        var module = Internals.Field<FromScratchEncoder>(featurizer, "_encoder").Encoder;
        var vocabulary = Internals.Field<FromScratchEncoder>(featurizer, "_encoder").Vocabulary;
        var architecture = module.Architecture;
        var p = Float64.Parameters(module);
        var engine = ml.Model.CreatePredictionEngine<TextRow, Output>(featurizer);

        var texts = rows.Take(12).Select(r => r.Text).Append("").Append("red").ToArray();
        Assert.IsTrue(texts.Any(t => t.Split(' ').Length > MaxTokens), "some texts must be longer than MaxTokens");
        foreach (var text in texts)
        {
            var windows = ExpectedWindows(text, vocabulary, architecture.ClassificationTokenId, longText);
            var vector = new double[architecture.Width];
            var tokenWeights = new List<double>();
            foreach (var window in windows)
            {
                var (states, layerWeights) = NetworkReference.Encoder(p, window, architecture.Width, architecture.NumberOfLayers, architecture.NumberOfHeads,
                    learnedPositions: false, localHalfWidth: 0);
                var pooled = Pool(states, pooling);
                for (int d = 0; d < vector.Length; d++)
                    vector[d] += pooled[d] / windows.Length;   // sliding windows: the mean of the windows' vectors
                var used = source == TokenAttentionSource.LastLayer ? layerWeights.TakeLast(1) : layerWeights;
                tokenWeights.AddRange(NetworkReference.ReceivedAttention(used).Skip(1));
            }
            var actual = engine.Predict(new TextRow { Text = text });
            Assert.HasCount(vector.Length, actual.Embedding);
            for (int d = 0; d < vector.Length; d++)
                Assert.AreEqual(vector[d], actual.Embedding[d], 1e-4, $"'{text}': dimension {d}");
            Assert.HasCount(tokenWeights.Count, actual.TokenWeights, $"'{text}': one weight per token read");
            for (int t = 0; t < tokenWeights.Count; t++)
                Assert.AreEqual(tokenWeights[t], actual.TokenWeights[t], 1e-5, $"'{text}': token {t}");
        }
    }

    private static string WriteVectors(IEnumerable<string> words, int dimension, int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(Path.GetTempPath(), $"featurizer-vectors-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, words.Select(w => w + " " + string.Join(" ",
            Enumerable.Range(0, dimension).Select(_ => (random.Next(-100, 101) / 50.0).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        return path;
    }

    private static Dictionary<string, double[]> ReadVectors(string path)
        => File.ReadAllLines(path).Select(l => l.Split(' ')).ToDictionary(f => f[0],
            f => f.Skip(1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());

    [TestMethod]
    public void FrozenPretrainedVectorsStayAsInTheFileAndUnfrozenOnesAreTrained()
    {
        var path = WriteVectors(new[] { "red", "green", "blue", "alpha", "beta", "unseen" }, dimension: 8, seed: 3);
        try
        {
            var file = ReadVectors(path);
            foreach (var freeze in new[] { true, false })
            {
                var options = Tiny();
                options.NumberOfEpochs = 3;
                options.PretrainedVectorsPath = path;
                options.FreezePretrainedVectors = freeze;
                var (_, _, featurizer) = Fit(options);
                var weight = Values(Internals.Field<FromScratchEncoder>(featurizer, "_encoder").Encoder.EmbeddingWeight);
                var vocabulary = Internals.Field<FromScratchEncoder>(featurizer, "_encoder").Vocabulary;
                Microsoft.ML.Attention.Tests.Text.PretrainedRowsAssert.Check(weight, vocabulary, file, new[] { "red", "green", "blue", "alpha", "beta" }, freeze);
            }

            var wrongWidth = Tiny();
            wrongWidth.Width = 16;
            wrongWidth.PretrainedVectorsPath = path;
            var error = Assert.Throws<ArgumentException>(() => Fit(wrongWidth));
            StringAssert.Contains(error.Message, "dimension 8");
            StringAssert.Contains(error.Message, "Width");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static float[][] Vectors(SelfAttentionFeaturizingEstimator.Options options, int contextSeed)
    {
        var (ml, rows, featurizer) = Fit(options, contextSeed);
        var engine = ml.Model.CreatePredictionEngine<TextRow, Output>(featurizer);
        return rows.Take(20).Select(r => engine.Predict(r).Embedding).ToArray();
    }

    [TestMethod]
    public void TheSeedOptionDecidesTheModelWhateverTheContextSeed()
    {
        var options = Tiny();
        options.Seed = 7;
        var first = Vectors(options, contextSeed: 1);
        ColumnAssert.AreEqual(first.ToList(), Vectors(options, contextSeed: 2).ToList(), "same Seed, other MLContext seed");
        options.Seed = 8;
        Assert.IsFalse(first.Zip(Vectors(options, contextSeed: 1)).All(p => p.First.SequenceEqual(p.Second)), "another Seed gives another model");
    }

    [TestMethod]
    public void NumberOfThreadsAppliesWhileTheFitRunsAndIsGivenBack()
    {
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            var options = Tiny();
            options.NumberOfThreads = 1;
            var seen = new List<int>();
            options.Progress = _ => seen.Add(torch.get_num_threads());
            Fit(options);
            Assert.IsNotEmpty(seen);
            Assert.IsTrue(seen.All(c => c == 1), "the fit trains with its NumberOfThreads");
            Assert.AreEqual(2, torch.get_num_threads(), "the caller's count once the fit has ended");
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private sealed class BooleanRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private sealed class SingleRow
    {
        public string Text { get; set; } = "";
        public float Label { get; set; }
    }

    /// <summary>Training losses per epoch of a featurizer trained on <paramref name="data"/> (label "Label", any type).</summary>
    private static List<double> Losses(MLContext ml, IDataView data)
    {
        var options = Tiny();
        options.NumberOfEpochs = 5;
        options.ValidationFraction = 0;
        options.LearningRate = 1e-2;
        var losses = new SortedDictionary<int, double>();
        options.Progress = p => losses[p.Epoch] = p.TrainingLoss;
        ml.Transforms.Text.SelfAttentionFeaturize(options).Fit(data);
        return losses.Values.ToList();
    }

    [TestMethod]
    public void BooleanAndSingleLabelsAreLearned()
    {
        // The label is carried by one word: whether "red" occurs, or how many times.
        var texts = OrderTask.Generate(160, seed: 22).Select(r => r.Text).ToArray();
        var ml = new MLContext(seed: 4);
        var booleans = Losses(ml, ml.Data.LoadFromEnumerable(texts.Select(t => new BooleanRow { Text = t, Label = t.Split(' ').Contains("red") })));
        Assert.IsLessThan(booleans[0] * 0.8, booleans[^1], $"Boolean label: loss {booleans[0]:F3} after epoch 1, {booleans[^1]:F3} at the end");
        var singles = Losses(ml, ml.Data.LoadFromEnumerable(texts.Select(t => new SingleRow { Text = t, Label = t.Split(' ').Count(w => w == "red") })));
        Assert.IsLessThan(singles[0] * 0.8, singles[^1], $"Single label: loss {singles[0]:F3} after epoch 1, {singles[^1]:F3} at the end");
    }
}
