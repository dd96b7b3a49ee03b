using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.TextFeaturization;

[TestClass]
public sealed class FeaturizerBehaviourTests
{
    private sealed class Vectors
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
        public float[] TokenWeights { get; set; } = Array.Empty<float>();
    }

    private static SelfAttentionFeaturizingEstimator.Options Quick(string? label = "Label")
    {
        var options = FeaturizerTestSettings.Small(label, epochs: 2);
        options.TokenWeightsColumnName = "TokenWeights";
        return options;
    }

    private static (MLContext Ml, List<TextRow> Rows, IDataView Data, ITransformer Model) Train(int seed, SelfAttentionFeaturizingEstimator.Options options)
    {
        var ml = new MLContext(seed: seed);
        var rows = OrderTask.Generate(200, seed: 5);
        rows.Add(new TextRow { Text = "", Label = "alpha-first" });
        rows.Add(new TextRow { Text = null!, Label = "beta-first" });
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.SelfAttentionFeaturize(options)).Fit(data);
        return (ml, rows, data, model);
    }

    [TestMethod]
    public void VectorsHaveTheDeclaredSizeAndEmptyTextIsAValidRow()
    {
        var (ml, rows, data, model) = Train(4, Quick());
        var output = model.Transform(data);
        Assert.AreEqual(32, ((VectorDataViewType)output.Schema["Embedding"].Type).Size);
        var vectors = ColumnAssert.Vectors(output, "Embedding");
        var weights = ColumnAssert.Vectors(output, "TokenWeights");
        Assert.IsTrue(vectors.All(v => v.Length == 32 && v.All(float.IsFinite)));
        for (int i = 0; i < rows.Count - 2; i++)
        {
            Assert.HasCount(rows[i].Text.Split(' ').Length, weights[i], "one weight per token read");
            Assert.IsTrue(weights[i].All(w => w >= 0 && w <= 1));
            Assert.IsLessThanOrEqualTo(1.0 + 1e-5, weights[i].Sum(w => (double)w));
        }
        Assert.IsEmpty(weights[^1], "null text has no tokens");
        Assert.IsEmpty(weights[^2], "empty text has no tokens");
        CollectionAssert.AreEqual(vectors[^1], vectors[^2], "null and empty text give the same vector");
    }

    [TestMethod]
    public void LongTextsAreCutOrWindowedAsConfigured()
    {
        var longText = string.Join(" ", Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "red" : "blue"));
        foreach (var handling in new[] { LongTextHandling.HeadAndTail, LongTextHandling.SlidingWindow })
        {
            var options = Quick();
            options.LongText = handling;
            var (ml, _, _, model) = Train(7, options);
            var engine = ml.Model.CreatePredictionEngine<TextRow, Vectors>(model);
            var result = engine.Predict(new TextRow { Text = longText });
            Assert.IsTrue(result.Embedding.All(float.IsFinite));
            Assert.HasCount(handling == LongTextHandling.HeadAndTail ? 15 : 40, result.TokenWeights,
                $"{handling}: MaximumTokens 16 leaves 15 words per window");

            // The tokens the weights belong to, in their order: the head and the tail, or every word.
            var words = Enumerable.Range(0, 40).Select(i => $"w{i}").ToArray();
            var tokens = ((TransformerChain<SelfAttentionFeaturizingTransformer>)model).LastTransformer is { } featurizer
                ? featurizer.GetTokens(string.Join(" ", words).ToUpperInvariant()) : throw new AssertFailedException("no featurizer");
            if (handling == LongTextHandling.SlidingWindow)
                CollectionAssert.AreEqual(words, tokens.ToArray());
            else
                CollectionAssert.AreEqual(words.Take(8).Concat(words.Skip(33)).ToArray(), tokens.ToArray());
        }
    }

    [TestMethod]
    public void VariantsPoolingsAndPositionsTrainAndRoundTrip()
    {
        var settings = new (SelfAttentionVariant Variant, PoolingMode Pooling, PositionEncoding Positions, int Window, int Output)[]
        {
            (SelfAttentionVariant.Lightweight, PoolingMode.Mean, PositionEncoding.Sinusoidal, 0, 0),
            (SelfAttentionVariant.Encoder, PoolingMode.Max, PositionEncoding.Learned, 3, 8),
            (SelfAttentionVariant.Encoder, PoolingMode.FirstToken, PositionEncoding.Sinusoidal, 0, 0),
            (SelfAttentionVariant.Encoder, PoolingMode.Attention, PositionEncoding.Learned, 2, 0),
        };
        foreach (var s in settings)
        {
            var options = Quick(label: null);
            options.Variant = s.Variant;
            options.Pooling = s.Pooling;
            options.Positions = s.Positions;
            options.LocalHalfWidth = s.Window;
            options.OutputSize = s.Output;
            options.NumberOfEpochs = 1;
            var (ml, rows, data, model) = Train(8, options);
            var vectors = ColumnAssert.Vectors(model.Transform(data), "Embedding");
            Assert.IsTrue(vectors.All(v => v.Length == (s.Output > 0 ? s.Output : 32) && v.All(float.IsFinite)), s.ToString());
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext().Model.Load(stream, out _);
            ColumnAssert.AreEqual(vectors, ColumnAssert.Vectors(loaded.Transform(data), "Embedding"), s.ToString());

            // A cursor that does not read the token weights runs attention in libtorch's fused kernel: the same
            // vectors within rounding, through Transform and through a PredictionEngine.
            var withWeights = ml.Data.CreateEnumerable<Vectors>(model.Transform(data), reuseRowObject: false).Select(v => v.Embedding).ToList();
            using var engine = ml.Model.CreatePredictionEngine<TextRow, EmbeddingOnly>(model);
            for (int i = 0; i < vectors.Count; i++)
            {
                FloatAssert.AreClose(withWeights[i], vectors[i], $"{s}, row {i}", 1e-4);
                FloatAssert.AreClose(withWeights[i], engine.Predict(rows[i]).Embedding, $"{s}, row {i}, prediction engine", 1e-4);
            }
        }
    }

    private sealed class EmbeddingOnly
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    private sealed class NumberRow
    {
        public float Text { get; set; }
    }

    [TestMethod]
    public void BadInputIsReportedClearly()
    {
        var ml = new MLContext(seed: 1);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1 } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.SelfAttentionFeaturize("E", "Text").Fit(numbers));
        StringAssert.Contains(wrongType.Message, "'Text'");
        StringAssert.Contains(wrongType.Message, "String");
        var texts = ml.Data.LoadFromEnumerable(OrderTask.Generate(10, seed: 1));
        var stringLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.SelfAttentionFeaturize("E", "Text", "Label").Fit(texts));
        StringAssert.Contains(stringLabel.Message, "key type");
        Assert.Throws<ArgumentException>(() => ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options { Width = 30, NumberOfHeads = 4 }));
        // The lightweight variant has no heads, so NumberOfHeads does not have to divide its width.
        Assert.IsNotNull(ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options { Variant = SelfAttentionVariant.Lightweight, Width = 30, NumberOfHeads = 4 }));
        Assert.Throws<ArgumentException>(() => ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options { MaximumTokens = 1 }));
    }
}
