using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// Pretrained model files edited as issue 33 found them (safetensors offsets, config.json sizes and types, modules.json
/// paths, renamed ONNX tensors, NaN weights) are refused with an error naming the file and what was wrong, before an
/// encoder is built from a lie.
/// </summary>
[TestClass]
public sealed class DamagedModelFileTests : TinyModelFolderTests
{
    private static void Fails(string path, params string[] fragments) => Fails<InvalidDataException>(path, fragments);

    // Rewrites model.safetensors' header (its bytes as text), keeping the data section.
    private void EditHeader(Func<byte[], byte[]> edit)
    {
        var path = FilePath("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = edit(bytes[8..(8 + length)]);
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, header.Length);
        File.WriteAllBytes(path, prefix.Concat(header).Concat(bytes[(8 + length)..]).ToArray());
    }

    private void EditTensors(Action<JsonObject> edit) => EditHeader(header =>
    {
        var json = JsonNode.Parse(header)!.AsObject();
        edit(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    });

    private static JsonArray Offsets(JsonObject header, string tensor) => header[tensor]!["data_offsets"]!.AsArray();

    [TestMethod]
    public void OverlappingSafetensorsOffsetsAreRefused()
    {
        // Two tensors of the same size: the second reads the first one's bytes.
        EditTensors(h => h["embeddings.LayerNorm.bias"]!["data_offsets"] = Offsets(h, "embeddings.LayerNorm.weight").DeepClone());
        Fails(Folder, FilePath("model.safetensors"), "overlap or leave a gap");
    }

    [TestMethod]
    public void SafetensorsOffsetsShiftedByOneByteAreRefused()
    {
        EditTensors(h =>
        {
            foreach (var (_, tensor) in h.Where(t => t.Key != "__metadata__").ToList())
            {
                var offsets = tensor!["data_offsets"]!.AsArray();
                tensor["data_offsets"] = new JsonArray((long)offsets[0]! + 1, (long)offsets[1]! + 1);
            }
        });
        Fails(Folder, FilePath("model.safetensors"), "starts at byte 1", "where 0 was expected");
    }

    [TestMethod]
    public void ASafetensorsElementCountThatOverflowsIsRefused()
    {
        EditTensors(h => h["embeddings.LayerNorm.bias"]!["shape"] = new JsonArray(4611686018427387904L, 4L));
        Fails(Folder, FilePath("model.safetensors"), "'embeddings.LayerNorm.bias'", "overflows");
    }

    [TestMethod]
    public void AnInvalidUtf8OrDuplicatedSafetensorsHeaderIsRefusedNamingTheFile()
    {
        var original = File.ReadAllBytes(FilePath("model.safetensors"));
        EditHeader(header =>
        {
            var at = Encoding.UTF8.GetString(header).IndexOf("pooler", StringComparison.Ordinal);
            header[at] = 0xFF;
            return header;
        });
        Fails(Folder, FilePath("model.safetensors"), "not valid UTF-8");

        File.WriteAllBytes(FilePath("model.safetensors"), original);
        EditHeader(header => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(header).Replace("\"pooler.dense.bias\"", "\"embeddings.LayerNorm.bias\"")));
        Fails(Folder, FilePath("model.safetensors"), "'embeddings.LayerNorm.bias' appears twice");
    }

    [TestMethod]
    public void ANaNWeightIsRefusedNamingTheTensor()
    {
        var tiny = new TinyBert();
        tiny.Weights["encoder.layer.1.output.dense.weight"].Values[5] = double.NaN;
        tiny.WriteFolder(Folder);
        Fails(Folder, FilePath("model.safetensors"), "'encoder.layer.1.output.dense.weight' holds NaN at element 5");
    }

    [TestMethod]
    public void AWeightWithAFlippedExponentBitIsRefused()
    {
        // 0.25 with the exponent's top bit flipped is 0.25 * 2^128: finite, but it overflows at the first LayerNorm.
        var tiny = new TinyBert();
        tiny.Weights["embeddings.word_embeddings.weight"].Values[7] = 0.25 * Math.Pow(2, 128);
        tiny.WriteFolder(Folder);
        Fails(Folder, FilePath("model.safetensors"), "'embeddings.word_embeddings.weight' holds 8.507059E+37 at element 7", "beyond ±1000000");
    }

    [TestMethod]
    public void OnnxInitializersOfOneNameAreRefused()
    {
        var tiny = new TinyBert();
        var folder = TinyBertOnnx.WriteFolder(tiny, FilePath("onnx"));
        var onnx = Path.Combine(folder, "model.onnx");
        var bytes = File.ReadAllBytes(onnx);
        var (from, to) = (Encoding.ASCII.GetBytes("encoder.layer.0.output.LayerNorm.bias"), Encoding.ASCII.GetBytes("encoder.layer.1.output.LayerNorm.bias"));
        int at = bytes.AsSpan().IndexOf(from);
        to.CopyTo(bytes, at);
        File.WriteAllBytes(onnx, bytes);
        Fails(onnx, onnx, "tensor 'encoder.layer.1.output.LayerNorm.bias' appears twice among the initializers");
    }

    [TestMethod]
    public void AVocabularyEntryWrittenTwiceIsRefused()
    {
        var lines = File.ReadAllLines(FilePath("vocab.txt"));
        lines[9] = lines[6];
        File.WriteAllLines(FilePath("vocab.txt"), lines);
        Fails(Folder, FilePath("vocab.txt"), $"the entry '{lines[6]}' on lines 7 and 10");
    }

    [TestMethod]
    public void ConfigSizesBeyondTheWeightsAreRefusedBeforeBuilding()
    {
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson(layers: 100000));
        Fails(Folder, FilePath("model.safetensors"), "num_hidden_layers 100000", "'encoder.layer.99999.", "do not hold");
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson().Replace("\"intermediate_size\": 8", "\"intermediate_size\": 1000000000"));
        Fails(Folder, FilePath("model.safetensors"), "intermediate_size 1000000000", "[1000000000, 4]", "hold [8, 4]");
    }

    [TestMethod]
    public void MistypedOrDuplicatedConfigFieldsAreRefusedNamingFileAndKey()
    {
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson().Replace("\"model_type\": \"bert\"", "\"model_type\": 3"));
        Fails(Folder, FilePath("config.json"), "'model_type' must be a string, found 3");
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson().Replace("\"hidden_size\": 4,", "\"hidden_size\": 4, \"hidden_size\": 400,"));
        Fails(Folder, FilePath("config.json"), "not valid JSON", "hidden_size");
        File.WriteAllText(FilePath("config.json"), TinyBert.ConfigJson());
        File.WriteAllText(FilePath("tokenizer_config.json"), """{"do_lower_case": "true"}""");
        Fails(Folder, FilePath("tokenizer_config.json"), "'do_lower_case' must be true or false, found \"true\"");
    }

    [TestMethod]
    public void SentenceTransformersModulePathsOutsideTheFolderAreRefused()
    {
        Directory.CreateDirectory(FilePath("1_Pooling"));
        File.WriteAllText(Path.Combine(Folder, "1_Pooling", "config.json"), """{"pooling_mode_mean_tokens": true}""");
        foreach (var outside in new[] { "../elsewhere", Path.GetTempPath().Replace("\\", "/") })
        {
            File.WriteAllText(FilePath("modules.json"), $$"""
                [{"idx": 0, "name": "0", "path": "{{outside}}", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
                """);
            Fails(Folder, FilePath("modules.json"), $"module path '{outside}' leads outside the model folder");
        }
        File.WriteAllText(FilePath("modules.json"), """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling/../1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            """);
        PretrainedEncoder.Load(Folder).Dispose();
    }

    [TestMethod]
    public void AnOnnxTensorRenamedToAFarLayerDoesNotSetTheLayerCount()
    {
        // Without a config.json beside it, the encoder's shape is read from the graph and its tensors' names.
        var onnx = Path.Combine(Directory.CreateDirectory(FilePath("onnx")).FullName, "renamed.onnx");
        var bytes = File.ReadAllBytes(PackagedModelFiles.MiniLm.OnnxPath);
        var from = Encoding.ASCII.GetBytes("encoder.layer.3.output.LayerNorm.bias");
        var to = Encoding.ASCII.GetBytes("encoder.layer.9.output.LayerNorm.bias");
        int renamed = 0;
        for (int i = 0; i + from.Length <= bytes.Length; i++)
            if (bytes.AsSpan(i, from.Length).SequenceEqual(from))
            {
                to.CopyTo(bytes, i);
                renamed++;
            }
        Assert.IsTrue(renamed > 0);
        File.WriteAllBytes(onnx, bytes);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedModelFiles.Read(onnx, PackagedModelFiles.MiniLm.VocabularyPath));
        StringAssert.Contains(error.Message, onnx);
        StringAssert.Contains(error.Message, "layers 0, 1, 2, 3, 4, 5, 9 but none of layer 6");
    }
}
