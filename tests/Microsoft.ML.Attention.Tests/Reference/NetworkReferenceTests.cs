using System;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Reference;

/// <summary>The networks with fixed weights against the float64 computations of <see cref="NetworkReference"/>.</summary>
[TestClass]
public sealed class NetworkReferenceTests
{
    private static double[][] RandomRows(Random random, int count, int width)
        => Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, width).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();

    private static Tensor Block(double[][][] batch)
        => Doubles(batch.SelectMany(s => s.SelectMany(r => r)).ToArray(), batch.Length, batch[0].Length, batch[0][0].Length);

    [TestMethod]
    public void MultiHeadAttentionMatchesAHeadByHeadComputation()
    {
        using var scope = NewDisposeScope();
        const int width = 6, heads = 3;
        using var attention = new MultiHeadAttention(width, heads).to(ScalarType.Float64);
        attention.eval();
        Float64.Randomize(attention, seed: 1, scale: 0.8);
        var p = Float64.Parameters(attention);
        var random = new Random(2);
        var queries = new[] { RandomRows(random, 3, width), RandomRows(random, 3, width) };
        var keys = new[] { RandomRows(random, 4, width), RandomRows(random, 4, width) };
        var values = new[] { RandomRows(random, 4, width), RandomRows(random, 4, width) };
        int[] lengths = { 4, 2 };     // the second sequence has two padded keys
        var padding = Masking.FromLengths(tensor(lengths.Select(l => (long)l).ToArray()), 4);

        var (output, weights) = attention.Forward(Block(queries), Block(keys), Block(values), padding, null);
        var fused = attention.Attend(Block(queries), Block(keys), Block(values), padding, null);
        var outputValues = Values(output);
        var weightValues = Values(weights);
        var fusedValues = Values(fused);
        for (int b = 0; b < 2; b++)
        {
            var (expected, expectedWeights) = NetworkReference.MultiHead(p, "", queries[b], keys[b], values[b], heads, (_, j) => j < lengths[b]);
            for (int i = 0; i < 3; i++)
                for (int d = 0; d < width; d++)
                {
                    Assert.AreEqual(expected[i][d], outputValues[(b * 3 + i) * width + d], 1e-12, $"output b{b} q{i} d{d}");
                    Assert.AreEqual(expected[i][d], fusedValues[(b * 3 + i) * width + d], 1e-12, $"fused output b{b} q{i} d{d}");
                }
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 4; j++)
                        Assert.AreEqual(expectedWeights[h][i][j], weightValues[((b * heads + h) * 3 + i) * 4 + j], 1e-12, $"weight b{b} head{h} q{i} k{j}");
        }
    }

    [TestMethod]
    public void EncoderLayerMatchesPreNormAttentionAndGeluFeedForward()
    {
        using var scope = NewDisposeScope();
        const int width = 4, heads = 2, tokens = 5;
        using var layer = new EncoderLayer(width, heads, feedForwardSize: 6, dropout: 0).to(ScalarType.Float64);
        layer.eval();
        Float64.Randomize(layer, seed: 3, scale: 0.9);
        var p = Float64.Parameters(layer);
        var x = RandomRows(new Random(4), tokens, width);
        var mask = Bools(new[] { true, true, true, true, false }, 1, tokens);
        var window = Masking.SlidingWindow(tokens, 1);
        var (output, weights) = layer.Forward(Block(new[] { x }), mask, window, needWeights: true);
        var (fused, _) = layer.Forward(Block(new[] { x }), mask, window, needWeights: false);

        var (expected, expectedWeights) = NetworkReference.EncoderLayer(p, "", x, heads, (i, j) => j < 4 && Math.Abs(i - j) <= 1);
        AssertClose(expected.SelectMany(r => r).ToArray(), output, 1e-12);
        AssertClose(expected.SelectMany(r => r).ToArray(), fused, 1e-12);
        AssertClose(expectedWeights.SelectMany(h => h.SelectMany(r => r)).ToArray(), weights!, 1e-12);
    }

    [TestMethod]
    public void GeluReferenceIsTheExactGaussianOne()
    {
        // Φ(1) = 0.841344746068543, Φ(-2) = 0.0227501319481792, Φ(3.5) = 0.999767370920964 (tables of the normal CDF).
        Assert.AreEqual(0.841344746068543, Float64.Gelu(1.0), 1e-14);
        Assert.AreEqual(-2 * 0.0227501319481792, Float64.Gelu(-2.0), 1e-14);
        Assert.AreEqual(3.5 * 0.999767370920964, Float64.Gelu(3.5), 1e-13);
    }

    [TestMethod]
    [DataRow(false, 0)]
    [DataRow(true, 0)]
    [DataRow(false, 1)]
    public void EncoderMatchesEmbeddingsPositionsLayersAndFinalNorm(bool learned, int localHalfWidth)
    {
        using var scope = NewDisposeScope();
        const int width = 4, layers = 2, heads = 2;
        var architecture = new FeaturizerArchitecture(VocabularySize: 9, SelfAttentionVariant.Encoder, width, layers, heads, FeedForwardSize: 8,
            learned ? PositionEncoding.Learned : PositionEncoding.Sinusoidal, MaximumTokens: 8, localHalfWidth, PoolingMode.Mean, OutputSize: 0, Dropout: 0);
        using var encoder = new SelfAttentionEncoder(architecture).to(ScalarType.Float64);
        encoder.eval();
        Float64.Randomize(encoder, seed: 5, scale: 0.7);
        var p = Float64.Parameters(encoder);
        long[] ids = { 7, 2, 5, 3, 2, 6 };
        var (states, layerWeights) = encoder.Encode(tensor(ids, 1, ids.Length), Bools(ids.Select(_ => true).ToArray(), 1, ids.Length), needWeights: true);

        var (expected, expectedWeights) = NetworkReference.Encoder(p, ids, width, layers, heads, learned, localHalfWidth);
        // The sinusoid table is computed in float32 inside the encoder.
        double tolerance = learned ? 1e-12 : 1e-6;
        AssertClose(expected.SelectMany(r => r).ToArray(), states, tolerance);
        Assert.HasCount(layers, layerWeights);
        for (int l = 0; l < layers; l++)
            AssertClose(expectedWeights[l].SelectMany(h => h.SelectMany(r => r)).ToArray(), layerWeights[l], tolerance);
    }

    [TestMethod]
    public void HierarchicalNetworkMatchesWordAndSentenceGruAttentionAndClassifier()
    {
        using var scope = NewDisposeScope();
        const int embedding = 3, wordHidden = 2, sentenceHidden = 2, classes = 3;
        var architecture = new HanArchitecture(VocabularySize: 8, embedding, RecurrentKind.Gru, wordHidden, sentenceHidden, AttentionSize: 3,
            AttentionScoreFunction.Location, Dropout: 0, classes);
        using var network = new HierarchicalAttentionModule(architecture).to(ScalarType.Float64);
        network.eval();
        Float64.Randomize(network, seed: 6, scale: 0.9);
        var p = Float64.Parameters(network);
        var documents = new[]
        {
            new[] { new[] { 2, 5, 3 }, new[] { 7 }, new[] { 4, 4, 6, 2 } },
            new[] { new[] { 3, 6 } },     // shorter in both directions: padding must not leak into it
        };
        using var batch = new DocumentBatch(documents);
        var (logits, wordWeights, sentenceWeights) = network.Forward(batch);
        var logitValues = Values(logits);
        var wordValues = Values(wordWeights);         // [S, Lmax]
        var sentenceValues = Values(sentenceWeights); // [B, Smax]
        for (int b = 0; b < documents.Length; b++)
        {
            var (expectedLogits, expectedWords, expectedSentences) = NetworkReference.Han(p, documents[b], embedding, wordHidden, sentenceHidden);
            for (int c = 0; c < classes; c++)
                Assert.AreEqual(expectedLogits[c], logitValues[b * classes + c], 1e-12, $"document {b} logit {c}");
            for (int s = 0; s < documents[b].Length; s++)
            {
                Assert.AreEqual(expectedSentences[s], sentenceValues[b * batch.MaximumSentences + s], 1e-12, $"document {b} sentence {s}");
                int row = batch.SentenceRows[b][s];
                for (int t = 0; t < documents[b][s].Length; t++)
                    Assert.AreEqual(expectedWords[s][t], wordValues[row * batch.MaxWords + t], 1e-12, $"document {b} sentence {s} word {t}");
            }
        }
    }
}
