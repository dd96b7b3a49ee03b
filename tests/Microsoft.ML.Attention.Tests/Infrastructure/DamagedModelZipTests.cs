using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Model zips whose sizes, counts or weights were edited (issue 33) are refused at Model.Load with the library's clear
/// error, before a module is built from a lie and before a count allocates more than the entry holds.
/// </summary>
[TestClass]
public sealed class DamagedModelZipTests
{
    private static byte[] _pooling = Array.Empty<byte>(), _han = Array.Empty<byte>(), _featurizer = Array.Empty<byte>(), _pretrained = Array.Empty<byte>();
    private static string _bertFolder = "";

    [ClassInitialize]
    public static void SaveModels(TestContext _)
    {
        _pooling = SmallModelZips.Pooling();
        _han = SmallModelZips.Han();
        _featurizer = SmallModelZips.Featurizer();
        _bertFolder = new TinyBert().WriteFolder(Path.Combine(Path.GetTempPath(), $"damaged-zip-bert-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        _pretrained = SmallModelZips.Pretrained(_bertFolder);
    }

    [ClassCleanup]
    public static void Remove() => Directory.Delete(_bertFolder, recursive: true);

    // The model with one number of its architecture JSON replaced fails with every fragment.
    private static void RefusedWith(byte[] zip, string field, string value, params string[] fragments)
        => ModelZip.Refused(ModelZip.EditArchitecture(zip, json => ModelZip.SetNumber(json, field, value)), fragments);

    [TestMethod]
    public void TheUntouchedModelsLoad()
    {
        foreach (var zip in new[] { _pooling, _han, _featurizer, _pretrained })
            Assert.IsNotNull(new MLContext(seed: 2).Model.Load(new MemoryStream(zip), out _));
    }

    [TestMethod]
    public void APoolingHeadCountBeyondTheWeightsIsRefusedBeforeBuilding()
        => RefusedWith(_pooling, "NumberOfHeads", "1000000", "pooling architecture", "heads.999999.score.", "does not hold");

    [TestMethod]
    public void AFeaturizerLayerCountBeyondTheWeightsIsRefusedBeforeBuilding()
        => RefusedWith(_featurizer, "NumberOfLayers", "100000", "encoder architecture", "layers.99999.feed_forward_in.weight");

    [TestMethod]
    public void AHanVocabularySizeBeyondTheWeightsIsRefusedBeforeBuilding()
        => RefusedWith(_han, "VocabularySize", "100000000", "network architecture", "'embedding.weight' of shape [100000000, 24]", "holds [");

    [TestMethod]
    public void AHanWithANegativeDropoutIsRefusedAtLoad()
        => RefusedWith(_han, "Dropout", "-0.5", "network architecture", "Dropout -0.5");

    [TestMethod]
    public void APoolingQuerySizeWithoutAQueryColumnIsRefusedAtLoad()
        => RefusedWith(_pooling, "QuerySize", "3", "pooling architecture", "QuerySize 3", "no query column");

    [TestMethod]
    public void AConfigJsonInAPretrainedZipWithMoreLayersThanWeightsIsRefused()
    {
        RefusedWith(_pretrained, "num_hidden_layers", "100000", "saved config.json", "num_hidden_layers 100000", "encoder.layer.99999.");
        RefusedWith(_pretrained, "intermediate_size", "1000000000", "saved config.json", "intermediate_size 1000000000", "[1000000000, 4]");
    }

    // The first tensor record after the magic at 'at': format, block length and block, tensor count, name (length-prefixed), rank.
    private static int FirstRankOffset(byte[] checkpoint, int at)
    {
        int blockLength = BitConverter.ToInt32(checkpoint, at + ModelZip.WeightsMagic.Length + 4);
        int name = at + ModelZip.WeightsMagic.Length + 8 + blockLength + 4;
        return name + 1 + checkpoint[name];
    }

    [TestMethod]
    public void ATensorRankOrDimensionBeyondTheEntryIsRefusedBeforeAllocating()
    {
        var rank = ModelZip.Edit(_han, ModelZip.WeightsMagic, (bytes, at) =>
        {
            var copy = (byte[])bytes.Clone();
            BitConverter.TryWriteBytes(copy.AsSpan(FirstRankOffset(copy, at), 4), 1_000_000_000);
            return copy;
        });
        ModelZip.Refused(rank, "HanModule'", "rank 1000000000");

        var dimension = ModelZip.Edit(_han, ModelZip.WeightsMagic, (bytes, at) =>
        {
            var copy = (byte[])bytes.Clone();
            BitConverter.TryWriteBytes(copy.AsSpan(FirstRankOffset(copy, at) + 4, 8), 4_000_000_000L);
            return copy;
        });
        ModelZip.Refused(dimension, "HanModule'", "bytes remain");
    }

    [TestMethod]
    public void ANaNWeightIsRefusedNamingTheTensor()
        // The entry ends with the last tensor's last value.
        => ModelZip.Refused(ModelZip.Overwrite(_pooling, "/PoolingModule", bytes => bytes.Length - 4, BitConverter.GetBytes(float.NaN)),
            "module checkpoint", "holds NaN", "weights must be finite");

    [TestMethod]
    public void AWeightBeyondTheLimitIsRefusedNamingTheEntry()
        => ModelZip.Refused(ModelZip.Overwrite(_pooling, "/PoolingModule", bytes => bytes.Length - 4, BitConverter.GetBytes(3e30f)),
            "Model entry 'TransformerChain/Transform_", "holds 3E+30", "beyond ±1000000");

    [TestMethod]
    public void FieldsEndingBeforeTheModelDataEndsAreRefusedNamingTheComponent()
    {
        // The HAN's model data ends with its last class name; one less in that name's length prefix leaves its last
        // character unread, which ML.NET would refuse after the loader with a bare "invalid format".
        var edited = ModelZip.EditEntry(_han, "Transform_001/Model.key", bytes =>
        {
            var copy = (byte[])bytes.Clone();
            long end = BitConverter.ToInt64(copy, 16) + BitConverter.ToInt64(copy, 24);
            int length = copy.Length;
            for (int size = 1; size < 128; size++)
                if (copy[end - size - 1] == size)
                {
                    length = size;
                    break;
                }
            Assert.IsLessThan(128, length, "the last class name's length prefix was found");
            copy[end - length - 1] = (byte)(length - 1);
            return copy;
        });
        ModelZip.Refused(edited, "Model entry 'TransformerChain/Transform_001'", "hierarchical attention network", "its fields end after");
    }

    [TestMethod]
    public void AVocabularyWordCountBeyondTheEntryIsRefused()
        // The vocabulary entry: format version, then the word count.
        => ModelZip.Refused(ModelZip.Overwrite(_han, "/Vocabulary", _ => 4, BitConverter.GetBytes(int.MaxValue)),
            "vocabulary 'Vocabulary'", "ends inside the vocabulary");

    [TestMethod]
    public void AWordPieceVocabularyLengthBeyondTheEntryIsRefused()
        // The tokenizer entry: its kind and its settings (two strings), then the vocabulary's length.
        => ModelZip.Refused(ModelZip.Overwrite(_pretrained, "/PretrainedTokenizer", AfterTwoStrings, BitConverter.GetBytes(int.MaxValue)),
            "tokenizer 'PretrainedTokenizer'", "claims 2147483647 bytes");

    private static int AfterTwoStrings(byte[] entry)
    {
        using var reader = new System.IO.BinaryReader(new System.IO.MemoryStream(entry));
        reader.ReadString();
        reader.ReadString();
        return (int)reader.BaseStream.Position;
    }

    [TestMethod]
    public void AClassCountBeyondTheStreamIsRefused()
    {
        // The class names follow the text settings in the HAN's model stream: the count (an int), then each name
        // length-prefixed; the vocabulary entry holds the same words, so the count is found before a name in Model.key.
        var records = SyntheticDocuments.Classes.Select(name => BitConverter.GetBytes(SyntheticDocuments.Classes.Length)
            .Concat(new[] { (byte)name.Length }).Concat(Encoding.UTF8.GetBytes(name)).ToArray()).ToArray();
        var (entry, record) = ModelZip.Entries(_han).SelectMany(e => records.Where(r => ModelZip.IndexOf(e.Value, r) >= 0).Select(r => (e.Key, r))).Single();
        var edited = ModelZip.Overwrite(_han, entry, bytes => ModelZip.IndexOf(bytes, record), BitConverter.GetBytes(1_000_000_000));
        ModelZip.Refused(edited, "class names", "1000000000 class names");
    }
}
