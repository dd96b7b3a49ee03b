using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary><c>ApplyPretrainedEncoder</c>: frozen and fine-tuned, as a user writes the pipeline.</summary>
[TestClass]
public sealed class PretrainedEncoderTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void WriteModel(TestContext _) => _folder = RandomBert.Write(Path.Combine(Path.GetTempPath(), $"random-bert-{Environment.ProcessId}"));

    [ClassCleanup]
    public static void DeleteModel() => Directory.Delete(_folder, recursive: true);

    private sealed class Vectors
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
        public float[] TokenWeights { get; set; } = Array.Empty<float>();
    }

    /// <summary>Fine-tuning settings for the small random model (a real pretrained model keeps the defaults).</summary>
    internal static PretrainedEncoderEstimator.Options FineTuning(string folder, int epochs = 8) => new()
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        LabelColumnName = "Label",
        ModelPath = folder,
        LearningRate = 2e-3,
        NumberOfEpochs = epochs,
        BatchSize = 16,
        EarlyStoppingPatience = 3,
    };

    internal static PretrainedEncoderEstimator.Options Frozen(string folder) => new()
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        ModelPath = folder,
    };

    private static double Accuracy(MLContext ml, PretrainedEncoderEstimator.Options options, IDataView train, IDataView test)
    {
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Embedding"));
        return ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test)).MicroAccuracy;
    }

    [TestMethod]
    public void FineTunedVectorsBeatFrozenVectorsOnATaskOfWordOrder()
    {
        // Both classes have the same bags of words: the frozen random encoder's vectors barely tell them apart, and
        // only fine-tuning teaches the encoder to read which word comes first.
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 21));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 22));
        var frozen = Accuracy(ml, Frozen(_folder), train, test);
        var fineTuned = Accuracy(ml, FineTuning(_folder), train, test);
        Console.WriteLine($"frozen {frozen:P1}, fine-tuned {fineTuned:P1}");
        Assert.IsTrue(fineTuned >= 0.9, $"fine-tuned accuracy {fineTuned:P1}");
        Assert.IsTrue(fineTuned >= frozen + 0.2, $"fine-tuned {fineTuned:P1} vs frozen {frozen:P1}");
    }

    internal static List<DocumentRow> Rows(int count, int seed)
    {
        var rows = OrderTask.Generate(count, seed).Select(r => new DocumentRow { Text = r.Text, Label = r.Label }).ToList();
        // Empty and missing text, an unknown word and a text longer than the model's 32 positions are valid rows.
        rows.Add(new DocumentRow { Text = "", Label = "alpha-first" });
        rows.Add(new DocumentRow { Text = null!, Label = "beta-first" });
        rows.Add(new DocumentRow { Text = "zebra alpha red river beta", Label = "alpha-first" });
        rows.Add(new DocumentRow { Text = string.Join(" ", Enumerable.Repeat("red green alpha blue beta", 10)), Label = "alpha-first" });
        return rows;
    }

    [TestMethod]
    public void ASavedFineTunedModelScoresIdenticallyWithoutTheModelFilesAndInAFreshProcess()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"random-bert-copy-{Guid.NewGuid():N}");
        RandomBert.Write(copy);
        var ml = new MLContext(seed: 4);
        var rows = Rows(120, seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = FineTuning(copy, epochs: 1);
        options.TokenWeightsColumnName = "TokenWeights";
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        Directory.Delete(copy, recursive: true);

        stream.Position = 0;
        var fresh = new MLContext(seed: 99);
        var loaded = fresh.Model.Load(stream, out _);
        var before = model.Transform(data);
        var after = loaded.Transform(fresh.Data.LoadFromEnumerable(rows));
        foreach (var column in new[] { "Embedding", "TokenWeights" })
            ColumnAssert.AreEqual(ColumnAssert.Vectors(before, column), ColumnAssert.Vectors(after, column), column);

        var original = ml.Model.CreatePredictionEngine<DocumentRow, Vectors>(model);
        var reloaded = fresh.Model.CreatePredictionEngine<DocumentRow, Vectors>(loaded);
        var batch = ColumnAssert.Vectors(before, "Embedding");
        for (int i = 0; i < rows.Count; i++)
        {
            var a = original.Predict(rows[i]);
            CollectionAssert.AreEqual(a.Embedding, reloaded.Predict(rows[i]).Embedding, $"row {i}: prediction engines");
            FloatAssert.AreClose(batch[i], a.Embedding, $"row {i}: batch and single row", 2e-6);
        }
        FreshProcess.AssertScoresIdentically<DocumentRow>(ml, model, data, "Embedding", "TokenWeights");
    }

    [TestMethod]
    public void TokenWeightsHaveOneWeightPerWordPieceAndFollowTheFineTunedDecision()
    {
        var ml = new MLContext(seed: 6);
        var options = FineTuning(_folder);
        options.TokenWeightsColumnName = "TokenWeights";
        options.TokenWeightsSource = TokenAttentionSource.LastLayer;
        // Every epoch trains: a 40-row hold-out reaches loss 0 by epoch 4, when the decision is right but the attention
        // has not yet settled on the markers (0.11 against 0.08 then, 0.34 against 0.04 after epoch 8).
        options.ValidationFraction = 0;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 21)));
        var engine = ml.Model.CreatePredictionEngine<DocumentRow, Vectors>(model);

        // "zebra" is not in the vocabulary: one [UNK] piece. Empty text has no word piece but a vector.
        Assert.AreEqual(5, engine.Predict(new DocumentRow { Text = "zebra alpha red river beta" }).TokenWeights.Length);
        var encoder = model.LastTransformer;
        CollectionAssert.AreEqual(new[] { "[UNK]", "alpha", "red", "river", "##s", "beta", "the" }, encoder.GetTokens("Zebra alpha red Rivers beta the").ToArray());
        Assert.AreEqual(0, encoder.GetTokens(null).Count);
        var empty = engine.Predict(new DocumentRow { Text = "" });
        Assert.AreEqual(0, empty.TokenWeights.Length);
        Assert.AreEqual(RandomBert.Hidden, empty.Embedding.Length);
        Assert.IsTrue(empty.Embedding.All(float.IsFinite));

        // After learning which of alpha and beta comes first, the last layer attends to them more than to a filler.
        var test = OrderTask.Generate(100, seed: 23);
        double onMarkers = 0, onFillers = 0;
        foreach (var row in test)
        {
            var words = row.Text.Split(' ');
            var weights = engine.Predict(new DocumentRow { Text = row.Text }).TokenWeights;
            Assert.AreEqual(words.Length, weights.Length, row.Text);
            Assert.IsTrue(weights.All(w => w >= 0 && w <= 1), row.Text);
            onMarkers += words.Select((w, i) => w is "alpha" or "beta" ? weights[i] : 0).Sum() / 2;
            onFillers += words.Select((w, i) => w is "alpha" or "beta" ? 0 : weights[i]).Sum() / (words.Length - 2);
        }
        Console.WriteLine($"attention on alpha/beta {onMarkers / test.Count:F4}, on a filler {onFillers / test.Count:F4}");
        Assert.IsTrue(onMarkers > 1.5 * onFillers, $"alpha/beta {onMarkers / test.Count:F4} vs filler {onFillers / test.Count:F4}");
    }

    [TestMethod]
    public void TheOptionsHoldTheFineTuningDefaultsAndWhatIsSetStays()
    {
        var options = new PretrainedEncoderEstimator.Options();
        Assert.AreEqual(1e-4, options.LearningRate);
        Assert.AreEqual(16, options.BatchSize);
        Assert.AreEqual(OptimizerKind.AdamW, options.Optimizer);
        Assert.AreEqual(0.01, options.WeightDecay);
        Assert.AreEqual(0.1, options.WarmupFraction);
        Assert.AreEqual(3, options.NumberOfEpochs);
        Assert.AreEqual(1, options.EarlyStoppingPatience);
        Assert.AreEqual(1.0, options.GradientClipNorm);
        Assert.IsNull(options.MaximumTokens, "the model's unless set");
        Assert.IsNull(options.Pooling, "the model's unless set");
        Assert.IsNull(options.Normalize, "the model's unless set");
        Assert.AreEqual(LongTextHandling.HeadAndTail, options.LongText);

        var set = new PretrainedEncoderEstimator.Options { LearningRate = 1e-3, Optimizer = OptimizerKind.Adam };
        Assert.AreEqual(1e-3, set.LearningRate);
        Assert.AreEqual(OptimizerKind.Adam, set.Optimizer);
    }

    [TestMethod]
    public void TheLogNamesWhatCameFromTheModel()
    {
        var ml = new MLContext(seed: 10);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(Rows(20, seed: 11));
        var estimator = ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(_folder));
        var embedding = estimator.GetOutputSchema(ShapeOf(data.Schema)).Single(c => c.Name == "Embedding");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, embedding.Kind, "the schema before Fit: a known-size vector");
        using var encoder = estimator.Fit(data);
        Assert.AreEqual(RandomBert.Hidden, encoder.OutputSize);
        Assert.AreEqual(RandomBert.Positions, encoder.MaximumTokens);
        Assert.AreEqual(PoolingMode.Mean, encoder.Pooling);
        Assert.IsFalse(encoder.Normalize);
        string All() => string.Join("\n", messages);
        StringAssert.Contains(All(), $"width {RandomBert.Hidden}, {RandomBert.Layers} layers, {RandomBert.Heads} heads");
        StringAssert.Contains(All(), $"at most {RandomBert.Positions} tokens per window (the model's max_position_embeddings)");
        StringAssert.Contains(All(), "Pooling: Mean (the Pooling option's default; the model does not say how it pools), not normalized");
        StringAssert.Contains(All(), "1 of 24 texts are longer than MaximumTokens = 32");
        StringAssert.Contains(All(), "No label: the vectors are the frozen pretrained model's");
    }

    [TestMethod]
    public void BadModelsAndOptionsFailAtFitOrEarlierNamingTheFileOrTheOption()
    {
        var ml = new MLContext(seed: 12);
        var data = ml.Data.LoadFromEnumerable(Rows(10, seed: 13));
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<FileNotFoundException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(missing)).Fit(data));
        StringAssert.Contains(error.Message, missing);
        Assert.Throws<FileNotFoundException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(missing)).GetOutputSchema(ShapeOf(data.Schema)));

        var roberta = Path.Combine(Path.GetTempPath(), $"roberta-{Guid.NewGuid():N}");
        RandomBert.Write(roberta);
        try
        {
            File.WriteAllText(Path.Combine(roberta, "config.json"), File.ReadAllText(Path.Combine(roberta, "config.json")).Replace("\"bert\"", "\"roberta\""));
            var wrongType = Assert.Throws<InvalidDataException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(roberta)).Fit(data));
            StringAssert.Contains(wrongType.Message, Path.Combine(roberta, "config.json"));
            StringAssert.Contains(wrongType.Message, "model_type is 'roberta'");
        }
        finally
        {
            Directory.Delete(roberta, recursive: true);
        }

        var tooLong = Frozen(_folder);
        tooLong.MaximumTokens = 64;
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(tooLong).Fit(data)).Message,
            "reads at most 32 tokens");

        var attention = Frozen(_folder);
        attention.Pooling = PoolingMode.Attention;
        Assert.AreEqual("Pooling", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(attention)).ParamName);

        var noModel = Frozen("");
        Assert.AreEqual("ModelPath", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(noModel)).ParamName);
        var tooFew = Frozen(_folder);
        tooFew.MaximumTokens = 2;
        Assert.AreEqual("MaximumTokens", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(tooFew)).ParamName);
    }

    [TestMethod]
    public void TheNormalizeOptionGivesTheModelsVectorsScaledToUnitLength()
    {
        var ml = new MLContext(seed: 19);
        var data = ml.Data.LoadFromEnumerable(Rows(12, seed: 20));
        using var plain = ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(_folder)).Fit(data);
        var options = Frozen(_folder);
        options.Normalize = true;
        using var normalized = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        Assert.IsFalse(plain.Normalize, "a Hugging Face folder has no Normalize module");
        Assert.IsTrue(normalized.Normalize);
        var expected = ColumnAssert.Vectors(plain.Transform(data), "Embedding");
        var actual = ColumnAssert.Vectors(normalized.Transform(data), "Embedding");
        for (int i = 0; i < expected.Count; i++)
        {
            var norm = Math.Sqrt(expected[i].Sum(v => (double)v * v));
            Assert.IsTrue(Math.Abs(norm - 1) > 1e-2, $"row {i}: the model's own vector is not of unit length ({norm})");
            FloatAssert.AreClose(expected[i].Select(v => (float)(v / norm)).ToArray(), actual[i], $"row {i}", 1e-5);
        }
    }

    [TestMethod]
    public void BadColumnsFailAtFitGetOutputSchemaAndTransformNamingTheColumn()
    {
        var ml = new MLContext(seed: 12);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Text = 1f, Label = "a" } });
        var frozen = ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(_folder));
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => frozen.Fit(numbers)).Message, "Text");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => frozen.GetOutputSchema(ShapeOf(numbers.Schema))).Message, "Text");

        var data = ml.Data.LoadFromEnumerable(Rows(10, seed: 13));
        var unlabeled = ml.Data.LoadFromEnumerable(new[] { new { Text = "alpha red beta" } });
        var tuning = ml.Transforms.Text.ApplyPretrainedEncoder(FineTuning(_folder, epochs: 1));
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => tuning.Fit(unlabeled)).Message, "Label");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => tuning.GetOutputSchema(ShapeOf(unlabeled.Schema))).Message, "Label");
        // A label of strings is not a key: MapValueToKey first.
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => tuning.Fit(data)).Message, "Label");

        using var fitted = frozen.Fit(data);
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Transform(numbers)).Message, "Text");
        var renamed = ml.Data.LoadFromEnumerable(new[] { new { Body = "alpha" } });
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => fitted.GetOutputSchema(renamed.Schema)).Message, "Text");

        var same = Frozen(_folder);
        same.TokenWeightsColumnName = "Embedding";
        Assert.AreEqual("TokenWeightsColumnName", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ApplyPretrainedEncoder(same)).ParamName);
    }

    [TestMethod]
    public void FreezingKeepsTheEncoderOrItsEmbeddingsAsInTheFile()
    {
        var file = SafetensorsReaderValues(Path.Combine(_folder, "model.safetensors"));
        Dictionary<string, float[]> Trained(Action<PretrainedEncoderEstimator.Options> set)
        {
            var ml = new MLContext(seed: 16);
            var options = FineTuning(_folder, epochs: 1);
            set(options);
            var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
                .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(64, seed: 17)));
            var encoder = Internals.Field<Microsoft.ML.Attention.Pretrained.PretrainedEncoder>(model.LastTransformer, "_encoder");
            return encoder.Model.Encoder.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
        }
        bool Same(Dictionary<string, float[]> trained, string name) => trained[name].SequenceEqual(file[name]);

        var encoderFrozen = Trained(o => { o.FreezeEncoder = true; o.Pooling = PoolingMode.Attention; });
        Assert.IsTrue(file.Keys.All(k => Same(encoderFrozen, k)), "every encoder weight as in the file");

        var embeddingsFrozen = Trained(o => o.FreezeEmbeddings = true);
        Assert.IsTrue(file.Keys.Where(k => k.StartsWith("embeddings.")).All(k => Same(embeddingsFrozen, k)), "embeddings as in the file");
        Assert.IsFalse(Same(embeddingsFrozen, "encoder.layer.0.attention.self.query.weight"), "the layers learn");

        var nothingFrozen = Trained(_ => { });
        Assert.IsFalse(Same(nothingFrozen, "embeddings.word_embeddings.weight"), "without freezing the embeddings learn");
    }

    [TestMethod]
    public void FrozenMiniLmFromItsOnnxFileGivesOnnxRuntimesVectors()
    {
        // The user's path: an .onnx file with vocab.txt beside it, no label. A bare ONNX file's vectors are mean-pooled
        // and not normalized (the log says so); normalized, they are sentence-transformers' vectors.
        var ml = new MLContext(seed: 18);
        var texts = TestTexts.Varied(24).Append("").ToList();
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new DocumentRow { Text = t }));
        var options = Frozen(PackagedModelFiles.MiniLm.OnnxPath);
        options.MaximumTokens = 128;
        using var transformer = ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data);
        Assert.AreEqual(384, transformer.OutputSize);
        var vectors = ColumnAssert.Vectors(transformer.Transform(data), "Embedding");
        var encoder = Internals.Field<Microsoft.ML.Attention.Pretrained.PretrainedEncoder>(transformer, "_encoder");
        using var reference = new OnnxRuntimeReference(PackagedModelFiles.MiniLm.OnnxPath);
        double largest = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            var norm = Math.Sqrt(vectors[i].Sum(v => (double)v * v));
            Assert.IsTrue(Math.Abs(norm - 1) > 1e-3, $"text {i}: not normalized");
            var expected = reference.MeanPooledNormalized(encoder.Tokenize(texts[i]).Windows);
            largest = Math.Max(largest, expected.Select((e, d) => Math.Abs(e - vectors[i][d] / norm)).Max());
        }
        Assert.IsTrue(largest < 1e-4, $"largest difference {largest:E2}");

        // The file does not say how many tokens it reads: 256 unless set, not its 512 positions.
        using var byDefault = ml.Transforms.Text.ApplyPretrainedEncoder(Frozen(PackagedModelFiles.MiniLm.OnnxPath)).Fit(ml.Data.LoadFromEnumerable(texts.Take(2).Select(t => new DocumentRow { Text = t })));
        Assert.AreEqual(256, Internals.Field<Microsoft.ML.Attention.Pretrained.PretrainedEncoder>(byDefault, "_encoder").MaxTokens);
    }

    // SchemaShape.Create is internal; this is what ML.NET does before an estimator's GetOutputSchema.
    internal static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, new object[] { schema })!;

    private static Dictionary<string, float[]> SafetensorsReaderValues(string path)
        => Microsoft.ML.Attention.Pretrained.SafetensorsReader.Read(path).ToDictionary(w => w.Name, w => w.ReadValues());
}
