using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The XLM-RoBERTa family and its SentencePiece tokenizer through <c>ApplyPretrainedEncoder</c>: ids equal python
/// sentencepiece's with XLMRobertaTokenizer's fairseq shift, frozen vectors equal an independent PyTorch implementation's
/// (Data/tiny-xlmr, written with its reference by benchmarks/reference/xlm_roberta.py as safetensors and as an ONNX
/// export), a BERT-architecture model with
/// the same tokenizer reads as BERT, fine-tuning learns, and a saved model scores the same in a fresh process.
/// </summary>
[TestClass]
public sealed class XlmRobertaFamilyTests
{
    internal static string Folder => Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", "tiny-xlmr");

    private static string OnnxFolder => Path.Combine(Folder, "onnx");

    internal static readonly string[] TokenizerFiles = { "sentencepiece.bpe.model", "tokenizer_config.json", "special_tokens_map.json" };

    /// <summary>The tiny model's word embeddings: 320 pieces, fairseq's offset and &lt;mask&gt;.</summary>
    internal const int VocabularySize = 322;

    private sealed record Reference(string[] Texts, string[][] Pieces, int[][] Ids, double[][] Mean, double[][] Cls, double[][] BertMean);

    private static Reference ReadReference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));
        var root = json.RootElement;
        return new Reference(root.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            root.GetProperty("pieces").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetString()!).ToArray()).ToArray(),
            FamilyChecks.Ids(root, "ids"), FamilyChecks.Rows(root, "mean"), FamilyChecks.Rows(root, "cls"), FamilyChecks.Rows(root, "bert_mean"));
    }

    [TestMethod]
    public void TokenIdsEqualSentencePiecesWithFairseqsShiftOnEveryText()
    {
        var reference = ReadReference();
        using var encoder = PretrainedEncoder.Load(Folder);
        Assert.IsInstanceOfType<XlmRobertaConfig>(encoder.Model.Config);
        Assert.IsInstanceOfType<SentencePieceTokenizer>(encoder.Tokenizer.Subword);
        Assert.AreEqual((0, 2, 1), (encoder.Tokenizer.Subword.StartId, encoder.Tokenizer.Subword.EndId, encoder.Tokenizer.Subword.PaddingId), "<s>, </s> and <pad> as the files give them");
        Assert.AreEqual(40, encoder.MaxTokens, "max_position_embeddings 42 less pad_token_id 1 and one");
        for (int i = 0; i < reference.Texts.Length; i++)
        {
            CollectionAssert.AreEqual(reference.Ids[i], encoder.Tokenize(reference.Texts[i]).Windows.Single(), $"ids of text {i}: \"{reference.Texts[i]}\"");
            // The pieces read back are sentencepiece's, <unk> where a piece is unknown.
            var expected = reference.Pieces[i].Select((p, k) => reference.Ids[i][k + 1] == 3 ? "<unk>" : p).ToArray();
            CollectionAssert.AreEqual(expected, encoder.TokensRead(reference.Texts[i]), $"pieces of text {i}");
        }
        Assert.IsTrue(reference.Ids.Any(ids => ids.Contains(3)), "some text has an unknown piece");
        CollectionAssert.AreEqual(new[] { 0, 2 }, encoder.Tokenize(null).Windows.Single(), "missing text is <s> </s>");
    }

    [TestMethod]
    public void FrozenVectorsEqualPyTorchsWithMeanAndFirstTokenPooling() => AssertVectorsEqualPyTorchs(Folder, "safetensors");

    [TestMethod]
    public void FrozenVectorsFromTheOnnxExportEqualPyTorchsWithTheSameIds()
    {
        // onnx/: torch.onnx.export of the bare model (Linear weights as bare-named MatMul constants, the positions
        // computed in the graph) with config.json and the tokenizer's files beside it.
        var reference = ReadReference();
        using (var encoder = PretrainedEncoder.Load(OnnxFolder))
        {
            Assert.IsInstanceOfType<XlmRobertaConfig>(encoder.Model.Config);
            Assert.IsInstanceOfType<SentencePieceTokenizer>(encoder.Tokenizer.Subword);
            for (int i = 0; i < reference.Texts.Length; i++)
                CollectionAssert.AreEqual(reference.Ids[i], encoder.Tokenize(reference.Texts[i]).Windows.Single(), $"ids of text {i}: \"{reference.Texts[i]}\"");
        }
        AssertVectorsEqualPyTorchs(OnnxFolder, "ONNX export");
    }

    [TestMethod]
    public void TheMaskedLanguageModelsExportReadsItsEncoderUnderRoberta()
    {
        // masked-lm-onnx/: the whole XLMRobertaForMaskedLM exported (output logits): the encoder's weights under
        // "roberta.", the head's (its MatMuls named from lm_head's biases) ignored.
        AssertVectorsEqualPyTorchs(Path.Combine(Folder, "masked-lm-onnx"), "masked-LM ONNX export");
    }

    [TestMethod]
    public void OnnxRuntimeRunningTheExportGivesPyTorchsVectors()
    {
        // The export read above is faithful: ONNX Runtime running its whole graph (its own position ids included) on
        // the reference's ids gives the reference's vectors.
        var reference = ReadReference();
        using var runtime = new OnnxRuntimeReference(Path.Combine(OnnxFolder, "model.onnx"));
        var states = reference.Ids.Select(runtime.HiddenStates).ToArray();
        var mean = states.Select(s => Enumerable.Range(0, s.GetLength(1)).Select(d => (float)Enumerable.Range(0, s.GetLength(0)).Average(t => (double)s[t, d])).ToArray()).ToList();
        var first = states.Select(s => Enumerable.Range(0, s.GetLength(1)).Select(d => s[0, d]).ToArray()).ToList();
        FamilyChecks.AssertClose(reference.Mean, mean, "ONNX Runtime on the export, mean pooling");
        FamilyChecks.AssertClose(reference.Cls, first, "ONNX Runtime on the export, first-token pooling");
    }

    [TestMethod]
    public void AnOnnxExportWithoutConfigIsRefusedNotReadAsBert()
    {
        // Its weights carry BERT's names; only the graph's position ids, counted from input_ids after the padding id,
        // say XLM-RoBERTa, and pad_token_id is not in the weights. Read as BERT, every vector would be wrong.
        // The same holds under the task model's "roberta." prefix.
        var folder = Path.Combine(Path.GetTempPath(), $"xlmr-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var export in new[] { OnnxFolder, Path.Combine(Folder, "masked-lm-onnx") })
            {
                foreach (var file in TokenizerFiles.Append("model.onnx"))
                    File.Copy(Path.Combine(export, file), Path.Combine(folder, file), overwrite: true);
                var onnx = Path.Combine(folder, "model.onnx");
                var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(onnx), export);
                StringAssert.Contains(error.Message, onnx);
                StringAssert.Contains(error.Message, "XLM-RoBERTa");
                StringAssert.Contains(error.Message, "config.json");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertVectorsEqualPyTorchs(string modelPath, string source)
    {
        var reference = ReadReference();
        FamilyChecks.AssertClose(reference.Mean, FamilyChecks.Vectors(modelPath, PoolingMode.Mean, reference.Texts), $"{source}, mean pooling");
        FamilyChecks.AssertClose(reference.Cls, FamilyChecks.Vectors(modelPath, PoolingMode.FirstToken, reference.Texts), $"{source}, first-token pooling");
    }

    [TestMethod]
    public void ABertWithTheSentencePieceTokenizerReadsAsBertAndEqualsPyTorchs()
    {
        // paraphrase-multilingual-MiniLM's shape: model_type "bert" with tokenizer_class XLMRobertaTokenizer. The same
        // weights read as BERT (positions 0 to T - 1) give PyTorch's BERT-read vectors.
        var folder = Path.Combine(Path.GetTempPath(), $"bert-sentencepiece-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var file in TokenizerFiles)
                File.Copy(Path.Combine(Folder, file), Path.Combine(folder, file));
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "config.json")))!.AsObject();
            config["model_type"] = "bert";
            File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
            SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), SafetensorsReader.Read(Path.Combine(Folder, "model.safetensors"))
                .Where(t => t.Name.StartsWith("roberta.", StringComparison.Ordinal))
                .Select(t => ("bert." + t.Name["roberta.".Length..], t.Shape, t.ReadValues())));
            var reference = ReadReference();
            using (var encoder = PretrainedEncoder.Load(folder))
            {
                Assert.IsInstanceOfType<BertConfig>(encoder.Model.Config);
                Assert.IsInstanceOfType<SentencePieceTokenizer>(encoder.Tokenizer.Subword);
                for (int i = 0; i < reference.Texts.Length; i++)
                    CollectionAssert.AreEqual(reference.Ids[i], encoder.Tokenize(reference.Texts[i]).Windows.Single(), $"ids of text {i}");
            }
            FamilyChecks.AssertClose(reference.BertMean, FamilyChecks.Vectors(folder, PoolingMode.Mean, reference.Texts), "BERT with SentencePiece, mean pooling");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TheSameWeightsExportedAsABertReadAsBertFromTheGraphAndEqualPyTorchs()
    {
        // bert-onnx/: the weights exported as BERT reads them (positions 0 to T - 1) with the SentencePiece tokenizer's
        // files and no config.json: the graph's positions are a range, so the export is BERT's, its shape read from the graph.
        var reference = ReadReference();
        var folder = Path.Combine(Folder, "bert-onnx");
        using (var encoder = PretrainedEncoder.Load(folder))
        {
            Assert.IsInstanceOfType<BertConfig>(encoder.Model.Config);
            Assert.AreEqual(1, ((BertConfig)encoder.Model.Config).TypeVocabularySize, "one token type, as the weights hold");
            Assert.IsInstanceOfType<SentencePieceTokenizer>(encoder.Tokenizer.Subword);
            for (int i = 0; i < reference.Texts.Length; i++)
                CollectionAssert.AreEqual(reference.Ids[i], encoder.Tokenize(reference.Texts[i]).Windows.Single(), $"ids of text {i}");
        }
        FamilyChecks.AssertClose(reference.BertMean, FamilyChecks.Vectors(folder, PoolingMode.Mean, reference.Texts), "BERT with SentencePiece from its ONNX export, mean pooling");
    }

    [TestMethod]
    public void TheTokenizerIsChosenByTokenizerClassAndItsErrorsNameTheFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"xlmr-bad-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var file in TokenizerFiles.Append("config.json").Append("model.safetensors"))
                File.Copy(Path.Combine(Folder, file), Path.Combine(folder, file));
            var model = Path.Combine(folder, "sentencepiece.bpe.model");
            File.Move(model, model + ".away");
            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(missing.Message, model);

            File.WriteAllBytes(model, new byte[] { 1, 2, 3, 4, 5 });
            var damaged = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(damaged.Message, model);
            StringAssert.Contains(damaged.Message, "not a SentencePiece model");

            File.Move(model + ".away", model, overwrite: true);
            var config = Path.Combine(folder, "config.json");
            File.WriteAllText(config, File.ReadAllText(config).Replace($"\"vocab_size\": {VocabularySize}", "\"vocab_size\": 300"));
            var small = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(small.Message, "320 pieces");
            StringAssert.Contains(small.Message, "300 word embeddings");

            File.Copy(Path.Combine(Folder, "config.json"), config, overwrite: true);
            var tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
            File.WriteAllText(tokenizerConfig, """{"tokenizer_class": "T5Tokenizer"}""");
            var other = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedEncoder.Load(folder));
            StringAssert.Contains(other.Message, tokenizerConfig);
            StringAssert.Contains(other.Message, "T5Tokenizer");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void FineTunedXlmRobertaLearnsWordOrderAndScoresIdenticallyInAFreshProcess()
    {
        // The order task over words the tiny SentencePiece model reads as one piece each, as BERT's stand-in vocabulary
        // holds its task's words whole (spelt out in pieces of one or two letters, the texts are four times longer).
        // With its 14 fillers, the frozen random encoder's vectors already separate most rows: fine-tuning must reach
        // 90% and gain 10 points.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")));
        var fillers = json.RootElement.GetProperty("single_piece_words").EnumerateArray().Select(w => w.GetString()!)
            .Where(w => w is not ("alpha" or "beta")).ToArray();
        Assert.IsGreaterThanOrEqualTo(10, fillers.Length);
        FamilyChecks.AssertFineTuningLearnsAndScoresIdentically(
            RandomXlmRoberta.Write(Path.Combine(Path.GetTempPath(), $"random-xlmr-{Guid.NewGuid():N}")), "XLM-RoBERTa", fillers, minimumGain: 0.1);
    }
}
