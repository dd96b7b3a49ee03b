using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Data;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The pretrained encoder (BERT and DistilBERT, frozen and fine-tuned, each pooling, normalized or not) and the
/// pretrained text classifier, exported with <c>ConvertToOnnx</c> and run in ONNX Runtime on the token ids of
/// <see cref="PretrainedTokenizer"/>: vectors, scores and predicted labels equal our <c>Transform</c>'s (1e-4, max abs;
/// labels exactly), as one padded batch and row by row, empty and over-long texts included.
/// </summary>
[TestClass]
public sealed class PretrainedExportTests
{
    private static string _bert = "";
    private static string _distilBert = "";

    [ClassInitialize]
    public static void WriteModels(TestContext _)
    {
        _bert = RandomBert.Write(Path.Combine(Path.GetTempPath(), $"random-bert-export-{Environment.ProcessId}"));
        _distilBert = RandomDistilBert.Write(Path.Combine(Path.GetTempPath(), $"random-distilbert-export-{Environment.ProcessId}"));
    }

    [ClassCleanup]
    public static void DeleteModels()
    {
        Directory.Delete(_bert, recursive: true);
        Directory.Delete(_distilBert, recursive: true);
    }

    internal static string Folder(string family) => family switch
    {
        "DistilBERT" => _distilBert,
        "XLM-R" => XlmRobertaFamilyTests.Folder,
        _ => _bert,
    };

    /// <summary>The encoder's options of a combination "family, frozen or fine-tuned, pooling[, normalized]".</summary>
    internal static PretrainedEncoderEstimator.Options Options(string combination, string folder)
    {
        var parts = combination.Split(", ");
        var options = parts[1] == "fine-tuned" ? PretrainedEncoderTests.FineTuning(folder, epochs: 2) : PretrainedEncoderTests.Frozen(folder);
        options.Pooling = Enum.Parse<PoolingMode>(parts[2]);
        options.Normalize = parts.Contains("normalized");
        return options;
    }

    internal static IEstimator<ITransformer> EncoderPipeline(MLContext ml, PretrainedEncoderEstimator.Options options)
        => options.LabelColumnName is null
            ? ml.Transforms.Text.ApplyPretrainedEncoder(options)
            : ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options));

    [TestMethod]
    [DataRow("BERT, frozen, Mean, normalized")]
    [DataRow("BERT, frozen, FirstToken")]
    [DataRow("BERT, fine-tuned, Mean")]
    [DataRow("BERT, fine-tuned, Attention, normalized")]
    [DataRow("DistilBERT, frozen, Max")]
    [DataRow("DistilBERT, frozen, FirstToken, normalized")]
    [DataRow("DistilBERT, fine-tuned, Mean, normalized")]
    [DataRow("XLM-R, frozen, Mean, normalized")]
    [DataRow("XLM-R, fine-tuned, FirstToken")]
    public void ExportedEncoderGivesTheVectorsOfTransform(string combination)
    {
        var ml = new MLContext(seed: 5);
        var folder = Folder(combination.Split(", ")[0]);
        var training = ml.Data.LoadFromEnumerable(OrderTask.Generate(64, seed: 3));
        var options = Options(combination, folder);
        var model = EncoderPipeline(ml, options).Fit(training);
        var rows = Texts();
        var scoring = ml.Data.LoadFromEnumerable(rows);
        var expected = ColumnAssert.Vectors(model.Transform(scoring), "Embedding");
        if (options.LabelColumnName is not null)
        {
            // The export must carry the fine-tuned weights, not the files': fine-tuning moved the vectors.
            var frozen = Options(combination.Replace("fine-tuned", "frozen", StringComparison.Ordinal), folder);
            frozen.Pooling = options.Pooling == PoolingMode.Attention ? PoolingMode.Mean : options.Pooling;
            using var before = ml.Transforms.Text.ApplyPretrainedEncoder(frozen).Fit(training);
            var original = ColumnAssert.Vectors(before.Transform(scoring), "Embedding");
            Assert.IsGreaterThan(1e-3, expected.Zip(original).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second))),
                $"{combination}: fine-tuning changed the vectors");
        }

        var tokenizer = Encoder(model).GetTokenizer();
        using var exported = new ExportedModel(ml, model, training);
        Check(exported, tokenizer, rows, expected, Enumerable.Range(0, rows.Count).ToArray(), $"{combination}, in a batch");
        foreach (var i in new[] { 0, rows.Count - 2, rows.Count - 1 })
            Check(exported, tokenizer, new[] { rows[i] }, expected, new[] { i }, $"{combination}, row {i} alone");
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AllMiniLmL6V2ExportsWithTheVectorsOfTransform()
    {
        // A real pretrained model (6 layers, width 384, 12 heads), as sentence-transformers uses it (mean, normalized),
        // on texts that exercise the tokenizer (accents, CJK, symbols, control characters, over-long texts).
        var ml = new MLContext(seed: 5);
        var rows = TestTexts.Tricky.Concat(TestTexts.Varied(12)).Append("").Select(t => new TextRow { Text = t }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = PretrainedEncoderTests.Frozen(MiniLmFiles.OnnxPath);
        options.MaximumTokens = 64;
        options.Normalize = true;
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        var expected = ColumnAssert.Vectors(model.Transform(data), "Embedding");
        using var exported = new ExportedModel(ml, model, data);
        Check(exported, model.GetTokenizer(), rows, expected, Enumerable.Range(0, rows.Count).ToArray(), "all-MiniLM-L6-v2, in a batch");
    }

    [TestMethod]
    public void AnEncoderThenSdcaPipelineExportsWholeWithTheSameLabels()
    {
        var ml = new MLContext(seed: 5);
        var training = ml.Data.LoadFromEnumerable(OrderTask.Generate(96, seed: 3));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.FineTuning(_bert, epochs: 3)))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Embedding"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(training);
        var rows = Texts();
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var scores = ColumnAssert.Vectors(transformed, "Score");
        var labels = transformed.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
        Assert.HasCount(2, labels.Distinct(), "both classes are predicted, so the labels are a real check");

        using var exported = new ExportedModel(ml, model, training);
        using var results = exported.Run(Feeds(exported, Encoder(model).GetTokenizer(), rows), "Score", "PredictedLabel");
        var outputs = results.ToDictionary(r => r.Name[..^".output".Length]);
        var predicted = outputs["PredictedLabel"].AsTensor<string>().ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            ExportAssert.AreClose(scores[i], ExportedModel.Row(outputs["Score"].AsTensor<float>(), i), $"row {i}: Score");
            Assert.AreEqual(labels[i], predicted[i], $"row {i} ('{rows[i].Text}'): predicted label");
        }
        (model as IDisposable)?.Dispose();
    }

    public sealed class BinaryRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    [TestMethod]
    [DataRow("Multiclass")]
    [DataRow("Binary, temperature")]
    public void ExportedClassifierScoresAsTransformDoes(string combination)
    {
        var ml = new MLContext(seed: 5);
        bool binary = combination.StartsWith("Binary", StringComparison.Ordinal);
        var settings = PretrainedTextClassifierTests.Settings(_bert, epochs: binary ? 8 : 3);
        // A label a few epochs learn (a word's presence), so that both classes are predicted.
        var generated = OrderTask.Generate(96, seed: 3).Select(r => new TextRow { Text = r.Text, Label = r.Text.Contains("river", StringComparison.Ordinal) ? "river" : "other" }).ToList();
        IDataView training;
        ITransformer model;
        if (binary)
        {
            settings.ScaleTemperature = true;
            settings.ValidationFraction = 0.25;
            training = ml.Data.LoadFromEnumerable(generated.Select(r => new BinaryRow { Text = r.Text, Label = r.Label == "river" }));
            model = ml.BinaryClassification.Trainers.PretrainedTextClassifier(settings).Fit(training);
        }
        else
        {
            training = ml.Data.LoadFromEnumerable(generated);
            model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.PretrainedTextClassifier(settings))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
                .Fit(training);
        }
        var classifier = model as PretrainedTextClassifierTransformer ?? ((IEnumerable<ITransformer>)model).OfType<PretrainedTextClassifierTransformer>().Single();
        if (binary)
            Assert.AreNotEqual(1.0, classifier.Temperature, "a temperature was fitted, so the export's division is checked");
        var rows = Texts();
        var transformed = model.Transform(binary
            ? ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow { Text = r.Text }))
            : ml.Data.LoadFromEnumerable(rows));
        var floats = binary ? new[] { "Score", "Probability" } : new[] { "Score" };
        var expected = floats.ToDictionary(c => c, c => binary ? transformed.GetColumn<float>(c).Select(v => new[] { v }).ToList() : ColumnAssert.Vectors(transformed, c));
        var labels = binary
            ? transformed.GetColumn<bool>("PredictedLabel").Select(b => b.ToString()).ToArray()
            : transformed.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
        Assert.HasCount(2, labels.Distinct(), $"{combination}: both classes are predicted, so the labels are a real check");

        using var exported = new ExportedModel(ml, model, training);
        using var results = exported.Run(Feeds(exported, classifier.GetTokenizer(), rows), floats.Append("PredictedLabel").ToArray());
        var outputs = results.ToDictionary(r => r.Name[..^".output".Length]);
        var predicted = binary
            ? outputs["PredictedLabel"].AsTensor<bool>().Select(b => b.ToString()).ToArray()
            : outputs["PredictedLabel"].AsTensor<string>().ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            foreach (var column in floats)
                ExportAssert.AreClose(expected[column][i], ExportedModel.Row(outputs[column].AsTensor<float>(), i), $"{combination}, row {i}: {column}");
            Assert.AreEqual(labels[i], predicted[i], $"{combination}, row {i} ('{rows[i].Text}'): predicted label");
        }
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void TheGraphTakesTheTokenIdsBesideThePipelinesInputColumns()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(_bert)).Fit(data);
        Assert.AreEqual("TextTokenIds", model.TokenIdsColumnName);
        using var exported = new ExportedModel(ml, model, data);
        CollectionAssert.AreEquivalent(new[] { "Text", "Label", "TextTokenIds" }, exported.Inputs.Keys.ToArray());
        Assert.AreEqual(typeof(long), exported.Inputs["TextTokenIds"].ElementType);
        CollectionAssert.AreEqual(new[] { -1, -1 }, exported.Inputs["TextTokenIds"].Dimensions, "[texts, tokens], both free");
    }

    [TestMethod]
    [DataRow("BERT")]
    [DataRow("DistilBERT")]
    public void TokenIdsAreTheWordPiecesTheEncoderReadsAfterSavingAndLoading(string family)
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        var options = PretrainedEncoderTests.Frozen(Folder(family));
        options.MaximumTokens = 12;
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        var tokenizer = model.GetTokenizer();
        using var file = new MemoryStream();
        tokenizer.Save(file);
        file.Position = 0;
        var loaded = PretrainedTokenizer.Load(file);
        Assert.AreEqual(12, loaded.MaximumTokens);
        Assert.AreEqual(LongTextHandling.HeadAndTail, loaded.LongText);
        var vocabulary = RandomBert.Vocabulary;
        foreach (var row in Texts())
        {
            var ids = loaded.TokenIds(row.Text);
            CollectionAssert.AreEqual(tokenizer.TokenIds(row.Text), ids, $"'{row.Text}': the same ids after Save and Load");
            Assert.IsLessThanOrEqualTo(12, ids.Length, $"'{row.Text}': at most MaximumTokens ids");
            Assert.AreEqual("[CLS]", vocabulary[ids[0]]);
            Assert.AreEqual("[SEP]", vocabulary[ids[^1]]);
            CollectionAssert.AreEqual(model.GetTokens(row.Text).ToArray(), ids[1..^1].Select(id => vocabulary[id]).ToArray(), $"'{row.Text}': the word pieces the encoder reads");
        }

        var block = loaded.TokenIds(new[] { "alpha beta", "", "alpha red green blue beta" }, out int tokens);
        Assert.AreEqual(7, tokens);
        Assert.HasCount(21, block);
        CollectionAssert.AreEqual(loaded.TokenIds("alpha beta"), block[..4]);
        CollectionAssert.AreEqual(loaded.TokenIds(""), block[7..9], "the empty text is [CLS] [SEP]");
        CollectionAssert.AreEqual(loaded.TokenIds("alpha red green blue beta"), block[14..]);
        Assert.IsTrue(block[4..7].Concat(block[9..14]).All(id => id == PretrainedTokenizer.PaddingId), "rows are padded with -1");
    }

    [TestMethod]
    [DataRow("DistilBERT")]
    [DataRow("XLM-R")]
    public void AFreshProcessTokenizesAndScoresTheExportWithoutLoadingTorchSharp(string family)
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        var options = PretrainedEncoderTests.Frozen(Folder(family));
        options.Normalize = true;
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        var tokenizer = model.GetTokenizer();
        var texts = Texts().Select(r => r.Text).ToArray();
        var expected = ColumnAssert.Vectors(model.Transform(ml.Data.LoadFromEnumerable(Texts())), "Embedding");
        var vectors = FreshTokenizerProcess.Run("pretrained", tokenizer.Save, tokenizer.TokenIds, stream => ml.Model.ConvertToOnnx(model, data, stream), texts);
        for (int i = 0; i < texts.Length; i++)
            ExportAssert.AreClose(expected[i], vectors[i], $"row {i}: Embedding in a fresh process (ONNX Runtime) against Transform here");
    }

    [TestMethod]
    public void ForeignOrDamagedTokenizerFilesAreRefusedNamingTheTokenizer()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(_bert)).Fit(data);
        using var file = new MemoryStream();
        model.GetTokenizer().Save(file);
        var bytes = file.ToArray();
        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedTokenizer.Load(new MemoryStream(bytes[..(bytes.Length / 2)])));
        StringAssert.Contains(truncated.Message, "pretrained encoder tokenizer");
        var foreign = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedTokenizer.Load(new MemoryStream(new byte[] { 3, (byte)'a', (byte)'b', (byte)'c', 0, 0, 0, 0 })));
        StringAssert.Contains(foreign.Message, "PretrainedTokenizer.Save");
    }

    [TestMethod]
    public void SlidingWindowsAreRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        var sliding = PretrainedEncoderTests.Frozen(_bert);
        sliding.LongText = LongTextHandling.SlidingWindow;
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(sliding).Fit(data);
        var error = Refused(ml, model, data);
        StringAssert.Contains(error, "PretrainedEncoderTransformer cannot be exported to ONNX");
        StringAssert.Contains(error, "LongTextHandling.SlidingWindow");
    }

    [TestMethod]
    [DataRow("BERT", TokenAttentionSource.AllLayers)]
    [DataRow("DistilBERT", TokenAttentionSource.LastLayer)]
    public void ExportedTokenWeightsAreThoseOfTransform(string family, TokenAttentionSource source)
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        var options = PretrainedEncoderTests.Frozen(Folder(family));
        options.TokenWeightsColumnName = "TokenWeights";
        options.TokenWeightsSource = source;
        using var model = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        var rows = Texts();
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var expected = ColumnAssert.Vectors(transformed, "TokenWeights");
        var vectors = ColumnAssert.Vectors(transformed, "Embedding");
        using var exported = new ExportedModel(ml, model, data);
        using var results = exported.Run(Feeds(exported, model.GetTokenizer(), rows), "Embedding", "TokenWeights");
        var outputs = results.ToDictionary(r => r.Name[..^".output".Length], r => r.AsTensor<float>());
        for (int i = 0; i < rows.Count; i++)
        {
            string message = $"{family}, {source}, row {i} ('{rows[i].Text}')";
            ExportAssert.AreClose(vectors[i], ExportedModel.Row(outputs["Embedding"], i), $"{message}: Embedding");
            var row = ExportedModel.Row(outputs["TokenWeights"], i);
            ExportAssert.AreClose(expected[i], row[..expected[i].Length], $"{message}: token weights");
            Assert.IsTrue(row[expected[i].Length..].All(w => w == 0), $"{message}: 0 after the last word piece");
        }
        Assert.IsTrue(expected.Any(w => w.Length > 0 && w.Max() > w.Min()), "the weights differ between word pieces, so they are a real check");
    }

    [TestMethod]
    public void TwoEncodersShareTheTokenIdsOnlyWhenTheyTokenizeAlike()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 3));
        PretrainedEncoderEstimator.Options Second(int? maximumTokens)
        {
            var options = PretrainedEncoderTests.Frozen(_distilBert);
            options.OutputColumnName = "Second";
            options.MaximumTokens = maximumTokens;
            return options;
        }

        // The two random models share their vocabulary and casing: the same ids feed both.
        var alike = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(_bert))
            .Append(ml.Transforms.Text.ApplyPretrainedEncoder(Second(null))).Fit(data);
        var rows = Texts();
        var transformed = alike.Transform(ml.Data.LoadFromEnumerable(rows));
        using (var exported = new ExportedModel(ml, alike, data))
        {
            using var results = exported.Run(Feeds(exported, ((IEnumerable<ITransformer>)alike).OfType<PretrainedEncoderTransformer>().First().GetTokenizer(), rows), "Embedding", "Second");
            foreach (var result in results)
            {
                var column = result.Name[..^".output".Length];
                var expected = ColumnAssert.Vectors(transformed, column);
                for (int i = 0; i < rows.Count; i++)
                    ExportAssert.AreClose(expected[i], ExportedModel.Row(result.AsTensor<float>(), i), $"{column}, row {i}");
            }
        }
        (alike as IDisposable)?.Dispose();

        // A shorter window cuts long texts elsewhere: one input cannot hold both encoders' ids.
        var different = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(_bert))
            .Append(ml.Transforms.Text.ApplyPretrainedEncoder(Second(12))).Fit(data);
        var error = Refused(ml, different, data);
        StringAssert.Contains(error, "PretrainedEncoderTransformer cannot be exported to ONNX: its token-ids input 'TextTokenIds' is already the input of PretrainedEncoderTransformer");
        (different as IDisposable)?.Dispose();
    }

    private static string Refused(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        Assert.AreEqual(0, stream.Length, "nothing was written");
        return error.Message;
    }

    internal static PretrainedEncoderTransformer Encoder(ITransformer model)
        => model as PretrainedEncoderTransformer ?? ((IEnumerable<ITransformer>)model).OfType<PretrainedEncoderTransformer>().Single();

    // Texts of different lengths, so rows are padded; unknown words and punctuation; two with "river" (the classifier's label); one longer than the model's 32
    // positions (head and tail kept); blank and empty last.
    internal static List<TextRow> Texts() => OrderTask.Generate(10, seed: 8).Concat(new[]
    {
        "Alpha, zorblax beta!",
        "river stone alpha river beta",
        "the river",
        string.Join(" ", Enumerable.Repeat("red alpha green", 15)) + " beta",
        "   ",
        "",
    }.Select((text, i) => new TextRow { Text = text, Label = i % 2 == 0 ? "alpha-first" : "beta-first" })).ToList();

    // ONNX Runtime's inputs: every input column of the graph (the data's strings), and the token ids padded with -1.
    internal static List<NamedOnnxValue> Feeds(ExportedModel exported, PretrainedTokenizer tokenizer, IReadOnlyList<TextRow> rows)
    {
        var ids = tokenizer.TokenIds(rows.Select(r => (string?)r.Text).ToList(), out int tokens);
        var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("TextTokenIds", new DenseTensor<long>(ids, new[] { rows.Count, tokens })) };
        foreach (var (name, input) in exported.Inputs.Where(i => i.Key != "TextTokenIds"))
        {
            if (input.ElementType == typeof(string))
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(rows.Select(r => name == "Text" ? r.Text : r.Label).ToArray(), new[] { rows.Count, 1 })));
            else if (input.ElementType == typeof(bool))
                feeds.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(new bool[rows.Count], new[] { rows.Count, 1 })));
            else
                Assert.Fail($"unexpected graph input {name} of {input.ElementType}");
        }
        return feeds;
    }

    private static void Check(ExportedModel exported, PretrainedTokenizer tokenizer, IReadOnlyList<TextRow> batch, List<float[]> expected, int[] indexes, string how)
    {
        using var results = exported.Run(Feeds(exported, tokenizer, batch), "Embedding");
        var vectors = results.Single().AsTensor<float>();
        for (int k = 0; k < batch.Count; k++)
            ExportAssert.AreClose(expected[indexes[k]], ExportedModel.Row(vectors, k), $"{how}, row {indexes[k]} ('{batch[k].Text}')");
    }
}
