using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The DistilBERT family through <c>ApplyPretrainedEncoder</c>: frozen vectors equal an independent PyTorch
/// implementation's (Data/tiny-distilbert, written with its reference vectors by benchmarks/reference/distilbert.py,
/// as safetensors and as an ONNX export), fine-tuning learns, and a saved model scores the same in a fresh process.
/// </summary>
[TestClass]
public sealed class DistilBertFamilyTests
{
    // The reference is computed in double precision; float32 scoring differs by rounding, far below this bound.
    private const double Tolerance = 1e-4;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", "tiny-distilbert");

    private sealed record Reference(string[] Texts, int[][] Ids, double[][] Mean, double[][] Cls);

    private static Reference ReadReference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));
        var root = json.RootElement;
        double[][] Rows(string name) => root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return new Reference(root.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            root.GetProperty("ids").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray(),
            Rows("mean"), Rows("cls"));
    }

    private static List<float[]> Vectors(string modelPath, PoolingMode pooling, IEnumerable<string> texts)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToList());
        var options = PretrainedEncoderTests.Frozen(modelPath);
        options.Pooling = pooling;
        return ColumnAssert.Vectors(ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(data).Transform(data), "Embedding");
    }

    private static void AssertEqualsReference(string modelPath)
    {
        var reference = ReadReference();
        using (var encoder = PretrainedEncoder.Load(modelPath))
        {
            Assert.IsInstanceOfType<DistilBertConfig>(encoder.Model.Config);
            for (int i = 0; i < reference.Texts.Length; i++)
                CollectionAssert.AreEqual(reference.Ids[i], encoder.Tokenize(reference.Texts[i]).Windows.Single(), $"word pieces of text {i}");
        }
        foreach (var (pooling, expected) in new[] { (PoolingMode.Mean, reference.Mean), (PoolingMode.FirstToken, reference.Cls) })
        {
            var actual = Vectors(modelPath, pooling, reference.Texts);
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
                for (int d = 0; d < expected[i].Length; d++)
                    worst = Math.Max(worst, Math.Abs(expected[i][d] - actual[i][d]));
            Console.WriteLine($"{pooling}: max abs difference from PyTorch {worst:G3} over {expected.Length} texts");
            Assert.IsTrue(worst <= Tolerance, $"{pooling}: max abs difference {worst:G3} from PyTorch's vectors");
        }
    }

    [TestMethod]
    public void FrozenVectorsEqualPyTorchsFromSafetensors() => AssertEqualsReference(Folder);

    [TestMethod]
    public void PyTorchsVectorsEqualADoublePrecisionDistilBertWrittenHere()
    {
        // Two independent readings of the architecture agree, so the stored reference is DistilBERT's and not a slip of one.
        var reference = ReadReference();
        var hand = new TinyDistilBert(Path.Combine(Folder, "model.safetensors"));
        for (int i = 0; i < reference.Texts.Length; i++)
        {
            var mean = hand.MeanPooled(reference.Ids[i]);
            for (int d = 0; d < mean.Length; d++)
                Assert.AreEqual(reference.Mean[i][d], mean[d], 1e-9, $"text {i}, element {d}");
        }
    }

    [TestMethod]
    public void FrozenVectorsEqualPyTorchsFromTheOnnxExport() => AssertEqualsReference(Path.Combine(Folder, "onnx", "model.onnx"));

    [TestMethod]
    public void ASentenceTransformersDistilBertFolderPoolsAndNormalizesAsItsModulesSay()
    {
        // A sentence-transformers folder whose Transformer is the DistilBERT ([CLS] pooling, then Normalize): the vectors
        // are PyTorch's [CLS] vectors scaled to unit length.
        var folder = Path.Combine(Path.GetTempPath(), $"distilbert-st-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        try
        {
            foreach (var file in new[] { "config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors" })
                File.Copy(Path.Combine(Folder, file), Path.Combine(folder, file));
            File.WriteAllText(Path.Combine(folder, "modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """);
            File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"), """
                {"word_embedding_dimension": 8, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false,
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
                """);
            File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), """{"max_seq_length": 16, "do_lower_case": false}""");
            var reference = ReadReference();
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(reference.Texts.Select(t => new TextRow { Text = t }).ToList());
            var actual = ColumnAssert.Vectors(ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(folder)).Fit(data).Transform(data), "Embedding");
            for (int i = 0; i < reference.Texts.Length; i++)
            {
                var norm = Math.Sqrt(reference.Cls[i].Sum(v => v * v));
                for (int d = 0; d < reference.Cls[i].Length; d++)
                    Assert.AreEqual(reference.Cls[i][d] / norm, actual[i][d], Tolerance, $"text {i}, element {d}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AnOnnxExportWithoutConfigIsRefusedNamingTheFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"distilbert-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var onnx = Path.Combine(folder, "model.onnx");
            File.Copy(Path.Combine(Folder, "onnx", "model.onnx"), onnx);
            File.Copy(Path.Combine(Folder, "onnx", "vocab.txt"), Path.Combine(folder, "vocab.txt"));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(onnx));
            StringAssert.Contains(error.Message, onnx);
            StringAssert.Contains(error.Message, "n_heads");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void BadDistilBertFilesAreRefusedNamingFileAndPart()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"distilbert-bad-{Guid.NewGuid():N}");
        RandomDistilBert.Write(folder);
        var config = Path.Combine(folder, "config.json");
        try
        {
            var text = File.ReadAllText(config);
            File.WriteAllText(config, text.Replace("\"gelu\"", "\"gelu_new\""));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(error.Message, config);
            StringAssert.Contains(error.Message, "activation is 'gelu_new'");

            File.WriteAllText(config, text.Replace("\"n_layers\": 2", "\"n_layers\": 3"));
            error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(error.Message, "transformer.layer.2.attention.q_lin.weight");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void FineTunedDistilBertLearnsWordOrderAndScoresIdenticallyInAFreshProcess()
    {
        var folder = RandomDistilBert.Write(Path.Combine(Path.GetTempPath(), $"random-distilbert-{Guid.NewGuid():N}"));
        try
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 21));
            var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 22));
            double Accuracy(PretrainedEncoderEstimator.Options options)
            {
                var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.Text.ApplyPretrainedEncoder(options))
                    .AppendCacheCheckpoint(ml)
                    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Embedding"));
                return ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test)).MicroAccuracy;
            }
            var frozen = Accuracy(PretrainedEncoderTests.Frozen(folder));
            var fineTuned = Accuracy(PretrainedEncoderTests.FineTuning(folder));
            Console.WriteLine($"DistilBERT: frozen {frozen:P1}, fine-tuned {fineTuned:P1}");
            Assert.IsTrue(fineTuned >= 0.9, $"fine-tuned accuracy {fineTuned:P1}");
            Assert.IsTrue(fineTuned >= frozen + 0.2, $"fine-tuned {fineTuned:P1} vs frozen {frozen:P1}");

            var rows = PretrainedEncoderTests.Rows(60, seed: 5);
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.FineTuning(folder, epochs: 1))).Fit(data);
            var frozenModel = ml.Transforms.Text.ApplyPretrainedEncoder(PretrainedEncoderTests.Frozen(folder)).Fit(data);
            Directory.Delete(folder, recursive: true);
            FreshProcess.AssertScoresIdentically<DocumentRow>(ml, model, data, "document", "Embedding");
            FreshProcess.AssertScoresIdentically<DocumentRow>(ml, frozenModel, data, "document", "Embedding");
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
