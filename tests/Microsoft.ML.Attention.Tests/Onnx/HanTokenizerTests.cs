using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The HAN's tokenizer, which fills the exported graph's token ids: the same ids as the network's own Transform reads,
/// after saving and loading (the tokenizer's file and the model's zip), in a fresh process that scores the exported
/// graph in ONNX Runtime and loads neither TorchSharp nor libtorch; damaged files and networks without a sentence width are refused clearly.
/// </summary>
[TestClass]
public sealed class HanTokenizerTests
{
    // Front-end cases: abbreviations, initials and numbers, line breaks and HTML breaks, CJK, unknown words, punctuation
    // only, blank, null, and more sentences and words than the network's limits.
    private static readonly string?[] Texts = HanExportTests.SpecialDocuments().Select(r => (string?)r.Text).Concat(new string?[]
    {
        null,
        "J. R. R. Tolkien wrote e.g. 3.14 pages.\nThe board voted to accept<br>the merger",
        "我们今天开会。预算通过了！The budget was approved.",
        SyntheticDocuments.Generate(1, seed: 5)[0].Text,
    }).ToArray();

    [TestMethod]
    public void TokenIdsAreTheIdsTheNetworkReadsAfterSavingAndLoading()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(HanExportTests.Documents(32, seed: 2));
        var model = HanExportTests.Pipeline(ml, "Multiclass, GRU", epochs: 1).Fit(data);
        var han = HanExportTests.Han(model);
        var tokenizer = han.GetTokenizer();
        Assert.AreEqual(9, tokenizer.MaximumWordsPerSentence);
        Assert.AreEqual(4, tokenizer.MaximumSentences);

        using var file = new MemoryStream();
        tokenizer.Save(file);
        file.Position = 0;
        var reloaded = HanTokenizer.Load(file);
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        zip.Position = 0;
        var loadedModel = ml.Model.Load(zip, out _);
        var fromZip = HanExportTests.Han(loadedModel).GetTokenizer();

        foreach (var text in Texts)
        {
            var expected = Layout(han.Encode(text).Ids, tokenizer.MaximumWordsPerSentence);
            CollectionAssert.AreEqual(expected, tokenizer.TokenIds(text), $"fitted network's tokenizer: '{text}'");
            CollectionAssert.AreEqual(expected, reloaded.TokenIds(text), $"tokenizer saved and loaded: '{text}'");
            CollectionAssert.AreEqual(expected, fromZip.TokenIds(text), $"tokenizer of the network loaded from its zip: '{text}'");
        }
        Assert.IsTrue(Texts.Any(t => tokenizer.TokenIds(t).Contains(1)), "an unknown word gets id 1");
        Assert.IsEmpty(tokenizer.TokenIds(null));
        Assert.HasCount(4 * 9, tokenizer.TokenIds(Texts[2]), "more sentences than the limit: 4 sentences of 9 ids");

        var block = tokenizer.TokenIds(Texts.Take(3).ToArray(), out int sentences);
        Assert.AreEqual(Texts.Take(3).Max(t => tokenizer.TokenIds(t).Length) / 9, sentences);
        Assert.HasCount(3 * sentences * 9, block);
        (loadedModel as IDisposable)?.Dispose();
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AFreshProcessTokenizesAndScoresTheExportWithoutLoadingTorchSharp()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(HanExportTests.Documents(32, seed: 2));
        using var han = (HierarchicalAttentionTransformer)HanExportTests.Pipeline(ml, "Binary, GRU, temperature", epochs: 1).Fit(data);
        var tokenizer = han.GetTokenizer();
        var scoring = ml.Data.LoadFromEnumerable(Texts.Select(t => new HanExportTests.TrainingRow { Text = t! }));
        var expectedScores = han.Transform(scoring).GetColumn<float>("Score").ToArray();
        var scores = FreshTokenizerProcess.Run("han", tokenizer, stream => ml.Model.ConvertToOnnx(han, data, stream), Texts);
        ExportAssert.AreClose(expectedScores, scores.Select(row => row[0]).ToArray(), "Score in a fresh process (ONNX Runtime) against Transform here");
    }

    [TestMethod]
    public void DamagedOrForeignTokenizerFilesAreRefusedNamingTheTokenizer()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(HanExportTests.Documents(32, seed: 2));
        using var han = (HierarchicalAttentionTransformer)HanExportTests.Pipeline(ml, "Binary, GRU, temperature", epochs: 1).Fit(data);
        using var file = new MemoryStream();
        han.GetTokenizer().Save(file);
        var bytes = file.ToArray();

        foreach (var (damaged, what) in new[] { (bytes[..(bytes.Length / 2)], "truncated"), (new byte[] { 3, 1, 2, 3 }, "foreign") })
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => HanTokenizer.Load(new MemoryStream(damaged)), what);
            StringAssert.Contains(error.Message, "HAN tokenizer", what);
        }
    }

    [TestMethod]
    public void ANetworkWithoutAWordLimitHasNoTokenizerAndIsNotExported()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(HanExportTests.Documents(32, seed: 2));
        var options = HanTestSettings.Small(epochs: 1);
        options.MaximumWordsPerSentence = 0;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(data);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => HanExportTests.Han(model).GetTokenizer());
        StringAssert.Contains(error.Message, "MaximumWordsPerSentence");
        using var stream = new MemoryStream();
        error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(error.Message, "HierarchicalAttentionTransformer");
        StringAssert.Contains(error.Message, "MaximumWordsPerSentence");
        (model as IDisposable)?.Dispose();
    }

    // Sentences of ids laid out as the tokenizer gives them: each sentence padded with 0 to the width.
    private static long[] Layout(int[][] sentences, int width)
        => sentences.SelectMany(s => s.Select(id => (long)id).Concat(Enumerable.Repeat(0L, width - s.Length))).ToArray();
}
