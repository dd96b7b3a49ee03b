using Microsoft.ML.Attention.Core;
using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>The encoder against a double-precision BERT written in the test (<see cref="TinyBert"/>), layer by layer.</summary>
[TestClass]
public sealed class TinyBertTests
{
    private static readonly int[][] Texts = { new[] { 2, 5, 6, 7, 8, 5, 9, 13, 3 }, new[] { 2, 15, 10, 11, 3 }, new[] { 2, 3 }, new[] { 2, 6, 12, 14, 1, 3 } };

    private static string TempFolder(string name) => Path.Combine(Path.GetTempPath(), $"tiny-bert-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");

    [TestMethod]
    public void EncoderEqualsDoublePrecisionReferenceLayerByLayer()
    {
        var tiny = new TinyBert();
        for (int layers = 1; layers <= TinyBert.Layers; layers++)
            AssertStates(tiny, tiny.WriteFolder(TempFolder("layers" + layers), layers), layers, needWeights: false);
    }

    [TestMethod]
    public void GeneralAttentionPathEqualsTheFusedOneAndGivesWeights()
    {
        var tiny = new TinyBert();
        AssertStates(tiny, tiny.WriteFolder(TempFolder("weights")), TinyBert.Layers, needWeights: true);
    }

    [TestMethod]
    public void HalfPrecisionWeightsAreWidened()
    {
        var tiny = new TinyBert();
        tiny.RoundToHalf();
        AssertStates(tiny, tiny.WriteFolder(TempFolder("half"), half: true), TinyBert.Layers, needWeights: false);
    }

    [TestMethod]
    public void OnnxExportWithoutConfigEqualsTheReference()
    {
        // The shape (layers, heads, epsilon) comes from the graph alone: no config.json is written beside model.onnx.
        var tiny = new TinyBert();
        AssertStates(tiny, TinyBertOnnx.WriteFolder(tiny, TempFolder("onnx")), TinyBert.Layers, needWeights: false);
    }

    [TestMethod]
    public void PooledVectorsAreTheMeanOfTheReferenceStates()
    {
        var tiny = new TinyBert();
        var folder = tiny.WriteFolder(TempFolder("pooled"));
        try
        {
            using var encoder = PretrainedEncoder.Load(folder, PoolingMode.Mean, fallbackNormalize: true);
            var texts = new[] { "The cat sat on the mat.", "a dog ran", "", null, "cats, unknown" };
            var vectors = encoder.Encode(texts);
            for (int i = 0; i < texts.Length; i++)
            {
                var window = encoder.Tokenize(texts[i]).Windows.Single();
                CollectionAssert.AreEqual(Texts[i < 3 ? i : i == 3 ? 2 : 3], window, $"ids of \"{texts[i]}\"");
                var states = tiny.Forward(window, TinyBert.Layers);
                var mean = Enumerable.Range(0, TinyBert.Hidden).Select(d => states.Average(s => s[d])).ToArray();
                var norm = Math.Sqrt(mean.Sum(v => v * v));
                for (int d = 0; d < TinyBert.Hidden; d++)
                    Assert.AreEqual(mean[d] / norm, vectors[i][d], 1e-5, $"text {i}, dimension {d}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void WeightsThatOverflowAtScoringFailInsteadOfGivingNaN()
    {
        // Finite weights within the loaders' limit can still overflow float32 together; the loaders cannot see that.
        var folder = new TinyBert().WriteFolder(TempFolder("overflow"));
        try
        {
            using var encoder = PretrainedEncoder.Load(folder, PoolingMode.Mean, fallbackNormalize: true);
            using (torch.no_grad())
                encoder.Model.named_parameters().Single(p => p.name.EndsWith("embeddings.LayerNorm.weight", StringComparison.Ordinal)).parameter.fill_(3e38f);
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => encoder.Encode(new[] { "the cat sat", "a dog" }));
            StringAssert.Contains(error.Message, "overflow float32 arithmetic");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TokenWeightsArePerWordPieceAndSumOverKeysToOne()
    {
        var tiny = new TinyBert();
        var folder = tiny.WriteFolder(TempFolder("tokenweights"));
        try
        {
            using var encoder = PretrainedEncoder.Load(folder);
            var tokens = new[] { "the cat sat", "a dog" }.Select(encoder.Tokenize).ToArray();
            var (vectors, weights) = encoder.Encode(tokens, TokenAttentionSource.AllLayers);
            var (plain, none) = encoder.Encode(tokens, null);
            Assert.IsNull(none);
            Assert.AreEqual(3, weights![0].Length);
            Assert.AreEqual(2, weights[1].Length);
            Assert.IsTrue(weights.All(w => w.All(v => v > 0 && v < 1)));
            for (int i = 0; i < vectors.Length; i++)
                for (int d = 0; d < vectors[i].Length; d++)
                    Assert.AreEqual(plain[i][d], vectors[i][d], 1e-6, "reading the weights does not change the vectors");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void NoTensorGrowthOverManyEncodeBatches()
    {
        var folder = new TinyBert().WriteFolder(TempFolder("growth"));
        try
        {
            using var encoder = PretrainedEncoder.Load(folder);
            var texts = new[] { "the cat sat on the mat", "a dog ran", "", "cats" };
            encoder.Encode(texts);
            encoder.Encode(texts.Select(encoder.Tokenize).ToArray(), TokenAttentionSource.LastLayer);
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 100; i++)
            {
                encoder.Encode(texts);
                encoder.Encode(texts.Select(encoder.Tokenize).ToArray(), TokenAttentionSource.AllLayers);
            }
            Assert.AreEqual(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount, "tensors leaked while encoding");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ConfigurationRoundTripsThroughItsJson()
    {
        var config = ModelFamilies.Parse(TinyBert.ConfigJson(), "config.json");
        Assert.AreEqual(new BertConfig(16, 4, 2, 2, 8, 12, 2, 1e-6, 0.1, 0.1), config);
        Assert.AreEqual(config, ModelFamilies.Parse(config.ToJson(), "saved"));
    }

    private static void AssertStates(TinyBert tiny, string folder, int layers, bool needWeights)
    {
        try
        {
            var files = PretrainedModelFiles.Read(folder);
            Assert.AreEqual(layers, ((BertConfig)files.Config).NumberOfLayers);
            using var model = files.Config.Family.CreateEncoder(files.Config);
            FamilyCheckpoint.Load(model, files.Weights, files.WeightsPath);
            model.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var batch = new TokenBatch(Texts);
            var (states, weights) = model.Forward(batch.Ids, batch.Mask, needWeights);
            Assert.AreEqual(needWeights ? layers : 0, weights.Count);
            var values = states.contiguous().data<float>().ToArray();
            for (int b = 0; b < Texts.Length; b++)
            {
                var expected = tiny.Forward(Texts[b], layers);
                for (int t = 0; t < Texts[b].Length; t++)
                    for (int d = 0; d < TinyBert.Hidden; d++)
                        Assert.AreEqual(expected[t][d], values[(b * batch.Length + t) * TinyBert.Hidden + d], 1e-5, $"{layers} layers, text {b}, token {t}, dimension {d}");
            }
            if (needWeights)
            {
                var rows = weights[^1].sum(-1);
                var sums = rows.contiguous().data<float>().ToArray();
                Assert.IsTrue(sums.All(s => Math.Abs(s - 1) < 1e-5), "each query's weights sum to 1 over the keys");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
