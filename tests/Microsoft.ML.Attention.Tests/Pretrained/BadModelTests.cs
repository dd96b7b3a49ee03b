using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>Every way a pretrained model on disk can be wrong fails with an error naming the file and what was expected.</summary>
[TestClass]
public sealed class BadModelTests : TinyModelFolderTests
{
    [TestMethod]
    public void TheTinyModelItselfLoads() => PretrainedEncoder.Load(Folder).Dispose();

    [TestMethod]
    public void OtherModelTypeIsRefused()
    {
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson(modelType: "roberta"));
        Fails<InvalidDataException>(Folder, FilePath("config.json"), "'roberta'", "'bert'", "'distilbert'");
    }

    [TestMethod]
    public void TanhGeluIsRefused()
    {
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson(activation: "gelu_new"));
        Fails<InvalidDataException>(Folder, FilePath("config.json"), "hidden_act is 'gelu_new'");
    }

    [TestMethod]
    public void MissingConfigVocabularyOrFolder()
    {
        File.Delete(FilePath("vocab.txt"));
        Fails<FileNotFoundException>(Folder, FilePath("vocab.txt"), "16 entries");
        File.Delete(FilePath("config.json"));
        Fails<FileNotFoundException>(Folder, FilePath("config.json"), "model_type bert");
        Fails<FileNotFoundException>(FilePath("nowhere"), FilePath("nowhere"), "was expected");
        Fails<InvalidDataException>(FilePath("model.safetensors"), FilePath("model.safetensors"), ".onnx file");
    }

    [TestMethod]
    public void MismatchedVocabularyIsRefused()
    {
        File.WriteAllLines(FilePath("vocab.txt"), TinyBert.Vocabulary.Append("extra"));
        Fails<InvalidDataException>(Folder, FilePath("vocab.txt"), "17 entries", "16 word embeddings");
        File.WriteAllLines(FilePath("vocab.txt"), TinyBert.Vocabulary.Select(v => v == "[CLS]" ? "cls" : v));
        Fails<InvalidDataException>(Folder, FilePath("vocab.txt"), "[CLS]");
    }

    [TestMethod]
    public void TensorWithUnexpectedShapeNameOrMissing()
    {
        var tiny = new TinyBert();
        var weights = FilePath("model.safetensors");
        tiny.Weights["encoder.layer.1.intermediate.dense.weight"] = (new long[] { 9, 4 }, new double[36]);
        tiny.WriteFolder(Folder);
        Fails<InvalidDataException>(Folder, weights, "'encoder.layer.1.intermediate.dense.weight' [8, 4]", "hold [9, 4]");

        tiny = new TinyBert();
        tiny.Weights["encoder.layer.0.attention.self.querry.weight"] = (new long[] { 4, 4 }, new double[16]);
        tiny.WriteFolder(Folder);
        Fails<InvalidDataException>(Folder, weights, "unexpected tensors 'encoder.layer.0.attention.self.querry.weight'");

        tiny = new TinyBert();
        tiny.Weights.Remove("embeddings.LayerNorm.bias");
        tiny.WriteFolder(Folder);
        Fails<InvalidDataException>(Folder, weights, "missing tensors 'embeddings.LayerNorm.bias'");

        // One layer more in the configuration than in the file: refused before the encoder is built.
        new TinyBert().WriteFolder(Folder, layers: 1);
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson(layers: 2));
        Fails<InvalidDataException>(Folder, weights, "num_hidden_layers 2", "'encoder.layer.1.", "do not hold");
    }

    [TestMethod]
    public void TruncatedOrCorruptSafetensorsIsRefused()
    {
        var weights = FilePath("model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length - 100)]);
        Fails<InvalidDataException>(Folder, weights, "truncated");
        File.WriteAllBytes(weights, bytes[..20]);
        Fails<InvalidDataException>(Folder, weights, "header length");
        var garbage = (byte[])bytes.Clone();
        garbage[8] = (byte)'#'; // the header's opening brace
        File.WriteAllBytes(weights, garbage);
        Fails<InvalidDataException>(Folder, weights, "not valid JSON");
    }

    [TestMethod]
    public void PyTorchCheckpointAsksForSafetensors()
    {
        File.Move(FilePath("model.safetensors"), FilePath("pytorch_model.bin"));
        Fails<InvalidDataException>(Folder, FilePath("pytorch_model.bin"), "convert the weights to model.safetensors");
    }

    [TestMethod]
    public void TruncatedOrCorruptOnnxIsRefused()
    {
        var onnx = FilePath("model.onnx");
        using (var source = File.OpenRead(PackagedModelFiles.MiniLm.OnnxPath))
        using (var target = File.Create(onnx))
        {
            var head = new byte[2_000_000];
            source.ReadExactly(head);
            target.Write(head);
        }
        File.Copy(PackagedModelFiles.MiniLm.VocabularyPath, FilePath("minilm-vocab.txt"));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedModelFiles.Read(onnx, FilePath("minilm-vocab.txt")));
        StringAssert.Contains(error.Message, onnx);
        StringAssert.Contains(error.Message, "truncated");
        File.WriteAllBytes(onnx, Enumerable.Range(0, 5000).Select(i => (byte)(i * 37 % 251)).ToArray());
        error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedModelFiles.Read(onnx, FilePath("minilm-vocab.txt")));
        StringAssert.Contains(error.Message, onnx);
    }

    [TestMethod]
    public void OnnxWithoutItsVocabularyIsRefused()
    {
        var folder = Directory.CreateDirectory(FilePath("onnx")).FullName;
        var onnx = Path.Combine(folder, "model.onnx");
        File.Copy(PackagedModelFiles.MiniLm.OnnxPath, onnx);
        Fails<FileNotFoundException>(onnx, Path.Combine(folder, "vocab.txt"), "30522 entries");
        // The tiny vocabulary has 16 entries, not the model's 30,522.
        File.Copy(FilePath("vocab.txt"), Path.Combine(folder, "vocab.txt"));
        Fails<InvalidDataException>(onnx, Path.Combine(folder, "vocab.txt"), "16 entries", "30522 word embeddings");
    }

    [TestMethod]
    public void UnsupportedSentenceTransformersModulesAreRefused()
    {
        File.WriteAllText(FilePath("modules.json"), """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """);
        Directory.CreateDirectory(FilePath("1_Pooling"));
        File.WriteAllText(Path.Combine(Folder, "1_Pooling", "config.json"), """{"pooling_mode_mean_sqrt_len_tokens": true}""");
        Fails<InvalidDataException>(Folder, FilePath("modules.json"), "sentence_transformers.models.Dense", "not supported");
        File.WriteAllText(FilePath("modules.json"), """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            """);
        Fails<InvalidDataException>(Folder, Path.Combine(Folder, "1_Pooling", "config.json"), "pooling_mode_mean_sqrt_len_tokens");
    }

    [TestMethod]
    public void MaximumTokensBeyondTheModelsPositionsAreRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PretrainedEncoder.Load(Folder, maxTokens: 13).Dispose());
        StringAssert.Contains(error.Message, "12");
    }
}
