using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The self-attention featurizer trained from scratch, exported with <c>ConvertToOnnx</c> and run in ONNX Runtime on the
/// token ids of <see cref="FeaturizerTokenizer"/>: vectors and token weights equal our <c>Transform</c>'s (1e-4, max
/// abs) for the variants, positions, local attention, poolings, projection, token-weight sources and both long-text
/// rules (long texts in several windows), empty texts included, as one batch and row by row; a pipeline featurizer →
/// normalizer → Concatenate → SDCA exports whole and predicts Transform's labels; the tokenizer gives the ids Transform reads,
/// also saved and loaded, in a fresh process that scores the export without loading TorchSharp or libtorch.
/// </summary>
[TestClass]
public sealed class FeaturizerExportTests
{
    private const int MaximumTokens = 8;

    /// <summary>A row of the data given to ConvertToOnnx: the pipeline's columns and the featurizer's token ids.</summary>
    public sealed class ExportRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        public long[] EmbeddingTokenIds { get; set; } = Array.Empty<long>();
    }

    // Each combination changes FeaturizerTestSettings.Small (two encoder layers, mean pooling, sinusoidal positions),
    // with MaximumTokens 8 so that most texts are long: all layers' token weights unless said otherwise.
    internal static readonly Dictionary<string, Action<SelfAttentionFeaturizingEstimator.Options>> Combinations = new()
    {
        ["Encoder, mean, head and tail"] = o => { },
        ["Encoder, attention pooling, learned positions, local, projection, last layer, windows"] = o =>
        {
            o.Pooling = PoolingMode.Attention; o.Positions = PositionEncoding.Learned; o.LocalHalfWidth = 2; o.OutputSize = 6;
            o.TokenWeightsSource = TokenAttentionSource.LastLayer; o.LongText = LongTextHandling.SlidingWindow;
        },
        ["Lightweight, max, windows"] = o => { o.Variant = SelfAttentionVariant.Lightweight; o.Pooling = PoolingMode.Max; o.LongText = LongTextHandling.SlidingWindow; },
        ["Encoder, first token, masked tokens, windows, no weights"] = o =>
        {
            o.Pooling = PoolingMode.FirstToken; o.LabelColumnName = null; o.LongText = LongTextHandling.SlidingWindow; o.TokenWeightsColumnName = null;
        },
    };

    [TestMethod]
    [DataRow("Encoder, mean, head and tail")]
    [DataRow("Encoder, attention pooling, learned positions, local, projection, last layer, windows")]
    [DataRow("Lightweight, max, windows")]
    [DataRow("Encoder, first token, masked tokens, windows, no weights")]
    public void ExportedFeaturizerScoresAsTransformDoes(string combination)
    {
        var ml = new MLContext(seed: 6);
        var training = ml.Data.LoadFromEnumerable(OrderTask.Generate(48, seed: 1));
        using var featurizer = Fit(ml, combination, epochs: 2, training);
        var tokenizer = featurizer.GetTokenizer();
        var rows = ExportRows(tokenizer, OrderTask.Generate(10, seed: 8).Concat(SpecialTexts()));
        var scoring = ml.Data.LoadFromEnumerable(rows);
        var weightsColumn = Options(combination).TokenWeightsColumnName;

        var transformed = featurizer.Transform(scoring);
        var vectors = ColumnAssert.Vectors(transformed, "Embedding");
        var weights = weightsColumn is null ? null : ColumnAssert.Vectors(transformed, weightsColumn);
        Assert.IsTrue(rows.Any(r => r.EmbeddingTokenIds.Length > tokenizer.WindowWidth) == (tokenizer.LongText == LongTextHandling.SlidingWindow),
            "texts in several windows exactly when the rule is SlidingWindow");

        using var exported = new ExportedModel(ml, featurizer, combination.Contains("attention", StringComparison.Ordinal) ? scoring : training);
        var outputs = weightsColumn is null ? new[] { "Embedding" } : new[] { "Embedding", weightsColumn };
        Check(Enumerable.Range(0, rows.Count).ToArray(), "in a batch");
        foreach (var i in new[] { 0, rows.Count - 3, rows.Count - 1 })
            Check(new[] { i }, "alone");

        void Check(int[] indexes, string how)
        {
            var batch = indexes.Select(i => rows[i]).ToArray();
            using var results = exported.Run(Feeds(batch), outputs);
            var output = results.ToDictionary(r => r.Name[..^".output".Length], r => r.AsTensor<float>());
            for (int k = 0; k < batch.Length; k++)
            {
                int i = indexes[k];
                string message = $"{combination}, row {i} {how} ('{rows[i].Text}')";
                ExportAssert.AreClose(vectors[i], ExportedModel.Row(output["Embedding"], k), $"{message}: vector");
                if (weights is not null)
                    ExportAssert.AreClose(weights[i], AtTokens(ExportedModel.Row(output[weightsColumn!], k), batch[k].EmbeddingTokenIds), $"{message}: token weights");
            }
        }
    }

    [TestMethod]
    public void APipelineWithSdcaExportsWholeAndPredictsTransformsLabels()
    {
        var ml = new MLContext(seed: 6);
        var training = ml.Data.LoadFromEnumerable(OrderTask.Generate(96, seed: 1));
        var options = Options("Encoder, mean, head and tail");
        options.NumberOfEpochs = 3;
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(options))
            .Append(ml.Transforms.NormalizeMinMax("Embedding"))
            .Append(ml.Transforms.Concatenate("Features", "Embedding"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(training);
        var featurizer = ((IEnumerable<ITransformer>)model).OfType<SelfAttentionFeaturizingTransformer>().Single();
        var rows = ExportRows(featurizer.GetTokenizer(), OrderTask.Generate(30, seed: 8).Concat(SpecialTexts()));
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var labels = transformed.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
        var scores = ColumnAssert.Vectors(transformed, "Score");
        Assert.AreEqual(2, labels.Distinct().Count(), "both classes are predicted, so the labels are a real check");

        using var exported = new ExportedModel(ml, model, training);
        using var results = exported.Run(Feeds(rows), "PredictedLabel", "Score");
        var output = results.ToDictionary(r => r.Name[..^".output".Length]);
        CollectionAssert.AreEqual(labels, output["PredictedLabel"].AsTensor<string>().ToArray(), "predicted labels");
        for (int i = 0; i < rows.Count; i++)
            ExportAssert.AreClose(scores[i], ExportedModel.Row(output["Score"].AsTensor<float>(), i), $"row {i}: Score");
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void TwoFeaturizersOfOneTextHaveGraphInputsOfTheirOwn()
    {
        var ml = new MLContext(seed: 6);
        var training = ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 1));
        var first = Options("Lightweight, max, windows");
        var second = Options("Encoder, mean, head and tail");
        (first.NumberOfEpochs, second.NumberOfEpochs, first.OutputColumnName, second.OutputColumnName, first.TokenWeightsColumnName, second.TokenWeightsColumnName)
            = (1, 1, "A", "B", null, null);
        second.LabelColumnName = null;
        first.LabelColumnName = null;
        var model = ml.Transforms.Text.SelfAttentionFeaturize(first)
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(second))
            .Append(ml.Transforms.Concatenate("Features", "A", "B"))
            .Fit(training);
        var featurizers = ((IEnumerable<ITransformer>)model).OfType<SelfAttentionFeaturizingTransformer>().ToArray();
        CollectionAssert.AreEqual(new[] { "ATokenIds", "BTokenIds" }, featurizers.Select(f => f.TokenIdsColumnName).ToArray());
        var texts = OrderTask.Generate(6, seed: 8).Concat(SpecialTexts()).ToArray();
        var expected = ColumnAssert.Vectors(model.Transform(ml.Data.LoadFromEnumerable(texts)), "Features");

        using var exported = new ExportedModel(ml, model, training);
        var feeds = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(texts.Select(r => r.Text).ToArray(), new[] { texts.Length, 1 })),
            NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(texts.Select(r => r.Label).ToArray(), new[] { texts.Length, 1 })),
        };
        foreach (var featurizer in featurizers)
        {
            var tokenizer = featurizer.GetTokenizer();
            var ids = tokenizer.TokenIds(texts.Select(r => (string?)r.Text).ToArray(), out int windows);
            feeds.Add(NamedOnnxValue.CreateFromTensor(featurizer.TokenIdsColumnName, new DenseTensor<long>(ids, new[] { texts.Length, windows * tokenizer.WindowWidth })));
        }
        using var results = exported.Run(feeds, "Features");
        var features = results.Single().AsTensor<float>();
        for (int i = 0; i < texts.Length; i++)
            ExportAssert.AreClose(expected[i], ExportedModel.Row(features, i), $"row {i}: Features");
        (model as IDisposable)?.Dispose();

        // One output name for both: the second would read the first's ids, so the export is refused.
        second.OutputColumnName = "A";
        var clash = ml.Transforms.Text.SelfAttentionFeaturize(first).Append(ml.Transforms.Text.SelfAttentionFeaturize(second)).Fit(training);
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(clash, training, stream));
        StringAssert.Contains(error.Message, "token-ids input 'ATokenIds' is already the input of SelfAttentionFeaturizingTransformer");
        (clash as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void TokenIdsAreTheWindowsTransformReadsAfterSavingAndLoading()
    {
        var ml = new MLContext(seed: 6);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 1));
        using var featurizer = Fit(ml, "Lightweight, max, windows", epochs: 1, data);
        var tokenizer = featurizer.GetTokenizer();
        Assert.AreEqual(MaximumTokens - 1, tokenizer.WindowWidth);
        Assert.AreEqual("EmbeddingTokenIds", featurizer.TokenIdsColumnName);
        using var file = new MemoryStream();
        tokenizer.Save(file);
        file.Position = 0;
        var reloaded = FeaturizerTokenizer.Load(file);
        using var zip = new MemoryStream();
        ml.Model.Save(featurizer, data.Schema, zip);
        zip.Position = 0;
        using var loaded = (SelfAttentionFeaturizingTransformer)ml.Model.Load(zip, out _);

        var encoder = (Microsoft.ML.Attention.TextFeaturization.FromScratchEncoder)featurizer.Encoder;
        var texts = SpecialTexts().Select(r => (string?)r.Text).Append(null).Append(OrderTask.Generate(1, seed: 3)[0].Text).ToArray();
        foreach (var text in texts)
        {
            // Transform's windows, the classification token dropped and each padded to the width.
            var read = encoder.Windows(text);
            var expected = read.SelectMany(w => w.Skip(1).Select(id => (long)id).Concat(Enumerable.Repeat(0L, MaximumTokens - w.Length))).ToArray();
            CollectionAssert.AreEqual(expected, tokenizer.TokenIds(text), $"'{text}'");
            CollectionAssert.AreEqual(expected, reloaded.TokenIds(text), $"saved and loaded: '{text}'");
            CollectionAssert.AreEqual(expected, loaded.GetTokenizer().TokenIds(text), $"from the model's zip: '{text}'");
            // The ids name the tokens the featurizer reports reading.
            var tokens = featurizer.GetTokens(text);
            CollectionAssert.AreEqual(tokens.Select(t => encoder.Vocabulary.GetId(t)).ToArray(), expected.Where(id => id != 0).Select(id => (int)id).ToArray(), $"tokens read: '{text}'");
        }
        Assert.IsTrue(texts.Any(t => tokenizer.TokenIds(t).Contains(Vocabulary.UnknownId)), "an unknown word gets id 1");
        Assert.IsTrue(texts.Any(t => tokenizer.TokenIds(t).Length > 2 * tokenizer.WindowWidth), "a long text fills several windows");
        CollectionAssert.AreEqual(new long[MaximumTokens - 1], tokenizer.TokenIds(""), "an empty text is one window of 0s");

        var block = tokenizer.TokenIds(texts, out int windows);
        Assert.AreEqual(texts.Max(t => tokenizer.TokenIds(t).Length) / tokenizer.WindowWidth, windows);
        Assert.HasCount(texts.Length * windows * tokenizer.WindowWidth, block);

        // Another kind's file, or a damaged one, is refused naming the tokenizer.
        var bytes = file.ToArray();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => HanTokenizer.Load(new MemoryStream(bytes)));
        StringAssert.Contains(error.Message, "HAN tokenizer");
        error = Assert.ThrowsExactly<InvalidDataException>(() => FeaturizerTokenizer.Load(new MemoryStream(bytes[..(bytes.Length / 2)])));
        StringAssert.Contains(error.Message, "featurizer tokenizer");
    }

    [TestMethod]
    public void AFreshProcessTokenizesAndScoresTheExportWithoutLoadingTorchSharp()
    {
        var ml = new MLContext(seed: 6);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 1));
        using var featurizer = Fit(ml, "Lightweight, max, windows", epochs: 1, data);
        var tokenizer = featurizer.GetTokenizer();
        var texts = SpecialTexts().Select(r => r.Text).Concat(OrderTask.Generate(3, seed: 8).Select(r => r.Text)).ToArray();
        var expected = ColumnAssert.Vectors(featurizer.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }))), "Embedding");
        var vectors = FreshTokenizerProcess.Run("featurizer", tokenizer, stream => ml.Model.ConvertToOnnx(featurizer, data, stream), texts);
        for (int i = 0; i < texts.Length; i++)
            ExportAssert.AreClose(expected[i], vectors[i], $"text {i}: vector in a fresh process (ONNX Runtime) against Transform here");
    }

    internal static SelfAttentionFeaturizingEstimator.Options Options(string combination)
    {
        var options = FeaturizerTestSettings.Small(epochs: 2);
        options.MaximumTokens = MaximumTokens;
        options.TokenWeightsColumnName = "TokenWeights";
        Combinations[combination](options);
        return options;
    }

    // The featurizer fitted alone; a label is mapped to a key first, as a pipeline does.
    internal static SelfAttentionFeaturizingTransformer Fit(MLContext ml, string combination, int epochs, IDataView data)
    {
        var options = Options(combination);
        options.NumberOfEpochs = epochs;
        var featurize = ml.Transforms.Text.SelfAttentionFeaturize(options);
        return options.LabelColumnName is null ? featurize.Fit(data) : featurize.Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
    }

    // Texts that exercise the front end and the windows: empty, blank, punctuation only, unknown words, a long text.
    internal static IEnumerable<TextRow> SpecialTexts() => new[]
    {
        "",
        "   ",
        "?!",
        "zorblax quux alpha frobnicates beta",
        string.Join(" ", OrderTask.Words.Concat(OrderTask.Words.Reverse())),
        "red alpha green",
    }.Select((text, i) => new TextRow { Text = text, Label = i % 2 == 0 ? "alpha-first" : "beta-first" });

    internal static List<ExportRow> ExportRows(FeaturizerTokenizer tokenizer, IEnumerable<TextRow> rows)
        => rows.Select(r => new ExportRow { Text = r.Text, Label = r.Label, EmbeddingTokenIds = tokenizer.TokenIds(r.Text) }).ToList();

    // ONNX Runtime's inputs: every input column of the pipeline, the ids padded with 0 to the batch's most windows.
    private static List<NamedOnnxValue> Feeds(IReadOnlyList<ExportRow> rows)
    {
        int width = rows.Max(r => r.EmbeddingTokenIds.Length);
        var ids = rows.SelectMany(r => r.EmbeddingTokenIds.Concat(Enumerable.Repeat(0L, width - r.EmbeddingTokenIds.Length))).ToArray();
        return new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(rows.Select(r => r.Text).ToArray(), new[] { rows.Count, 1 })),
            NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(rows.Select(r => r.Label).ToArray(), new[] { rows.Count, 1 })),
            NamedOnnxValue.CreateFromTensor("EmbeddingTokenIds", new DenseTensor<long>(ids, new[] { rows.Count, width })),
        };
    }

    // The token weights of a [windows x width] output row at the real tokens (0 at padding): the Transform's layout.
    private static float[] AtTokens(float[] row, long[] ids)
    {
        Assert.IsTrue(row.Skip(ids.Length).All(v => v == 0), "0 in the batch's padding windows");
        Assert.IsTrue(ids.Select((id, t) => id != 0 || row[t] == 0).All(ok => ok), "0 at padding");
        return row.Where((_, t) => t < ids.Length && ids[t] != 0).ToArray();
    }
}
