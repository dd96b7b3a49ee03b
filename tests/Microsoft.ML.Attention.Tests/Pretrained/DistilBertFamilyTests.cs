using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Pretrained;
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
    private const double Tolerance = FamilyChecks.Tolerance;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", "tiny-distilbert");

    private sealed record Reference(string[] Texts, int[][] Ids, double[][] Mean, double[][] Cls);

    private static Reference ReadReference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));
        var root = json.RootElement;
        return new Reference(root.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            FamilyChecks.Ids(root, "ids"), FamilyChecks.Rows(root, "mean"), FamilyChecks.Rows(root, "cls"));
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
            FamilyChecks.AssertClose(expected, FamilyChecks.Vectors(modelPath, pooling, reference.Texts), pooling.ToString());
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
        => FamilyChecks.AssertFineTuningLearnsAndScoresIdentically(
            RandomDistilBert.Write(Path.Combine(Path.GetTempPath(), $"random-distilbert-{Guid.NewGuid():N}")), "DistilBERT");
}
