using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Embeddings;

/// <summary>
/// Fitted encoders as the .NET AI stack's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: the vectors are the
/// model's output column, bit for bit, through code that knows only the interface and through the caching middleware;
/// concurrent calls equal sequential ones; cancellation stops between groups; wrong columns and dimensions are refused.
/// </summary>
[TestClass]
public sealed class EmbeddingGeneratorTests
{
    private static readonly string[] Texts = OrderTask.Generate(40, seed: 9).Select(r => r.Text).Append("").Append(null!).ToArray();

    private sealed class Embedded
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    // A featurizer trained from scratch without a label: a model that reads only the text column.
    private static (MLContext Ml, ITransformer Model) FromScratch()
    {
        var ml = new MLContext(seed: 4);
        var model = ml.Transforms.Text.SelfAttentionFeaturize(FeaturizerTestSettings.Small(label: null, epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(60, seed: 2)));
        return (ml, model);
    }

    private static float[][] TransformVectors(MLContext ml, ITransformer model, IEnumerable<string> texts)
        => ml.Data.CreateEnumerable<Embedded>(model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }))), reuseRowObject: false)
            .Select(r => r.Embedding).ToArray();

    // Code written only against the interface, as a vector store or Semantic Kernel holds it.
    private static async Task<float[][]> EmbedThroughInterface(IEmbeddingGenerator<string, Embedding<float>> generator, IEnumerable<string> texts)
        => (await generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

    private static void AssertSameBits(float[][] expected, float[][] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i].Select(BitConverter.SingleToInt32Bits).ToArray(), actual[i].Select(BitConverter.SingleToInt32Bits).ToArray(), $"{what}, text {i}");
    }

    [TestMethod]
    public async Task VectorsAreTheModelsOutputColumnThroughTheInterfaceAndTheCache()
    {
        var (ml, model) = FromScratch();
        var expected = TransformVectors(ml, model, Texts);
        using var generator = model.AsEmbeddingGenerator(ml, "Text", "Embedding", modelId: "order-task");
        AssertSameBits(expected, await EmbedThroughInterface(generator, Texts), "the generator");

        var metadata = (EmbeddingGeneratorMetadata?)generator.GetService(typeof(EmbeddingGeneratorMetadata));
        Assert.IsNotNull(metadata);
        Assert.AreEqual("order-task", metadata.DefaultModelId);
        Assert.AreEqual(expected[0].Length, metadata.DefaultModelDimensions);
        Assert.AreEqual("Microsoft.ML.Attention", metadata.ProviderName);

        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var cached = new EmbeddingGeneratorBuilder<string, Embedding<float>>(generator).UseDistributedCache(cache).Build();
        AssertSameBits(expected, await EmbedThroughInterface(cached, Texts), "through UseDistributedCache, first call");
        AssertSameBits(expected, await EmbedThroughInterface(cached, Texts), "through UseDistributedCache, from the cache");
    }

    [TestMethod]
    public async Task AFrozenPretrainedEncoderAndALoadedZipGiveTheirTransformsVectors()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"generator-bert-{Guid.NewGuid():N}");
        var zip = Path.Combine(Path.GetTempPath(), $"generator-{Guid.NewGuid():N}.zip");
        try
        {
            new TinyBert().WriteFolder(folder);
            var ml = new MLContext(seed: 1);
            var texts = new[] { "the cat sat on the mat", "a dog ran", "", "the dogs sat on a mat , the cat ran" };
            var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
            var model = ml.Transforms.Text.ApplyPretrainedEncoder("Embedding", "Text", folder).Fit(data);
            using (var generator = model.AsEmbeddingGenerator(ml, "Text", "Embedding"))
                AssertSameBits(TransformVectors(ml, model, texts), await EmbedThroughInterface(generator, texts), "frozen pretrained");

            ml.Model.Save(model, data.Schema, zip);
            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.Load(zip, out _);
            var expected = TransformVectors(fresh, loaded, texts);
            using (var generator = loaded.AsEmbeddingGenerator(fresh, "Text", "Embedding", disposeModel: true))
            {
                Assert.AreEqual(TinyBert.Hidden, generator.Dimensions);
                AssertSameBits(expected, await EmbedThroughInterface(generator, texts), "loaded from a zip");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            File.Delete(zip);
        }
    }

    [TestMethod]
    public async Task ConcurrentCallsEqualSequentialOnes()
    {
        var (ml, model) = FromScratch();
        using var generator = model.AsEmbeddingGenerator(ml, "Text", "Embedding");
        var lists = Enumerable.Range(0, 8).Select(k => Texts.Skip(k).Concat(Texts.Take(k)).ToArray()).ToArray();
        var sequential = new List<float[][]>();
        foreach (var list in lists)
            sequential.Add(await EmbedThroughInterface(generator, list));
        var concurrent = await Task.WhenAll(lists.Select(list => Task.Run(() => EmbedThroughInterface(generator, list))));
        for (int k = 0; k < lists.Length; k++)
            AssertSameBits(sequential[k], concurrent[k], $"call {k}");
    }

    [TestMethod]
    public async Task ACancelledTokenStopsTheCall()
    {
        var (ml, model) = FromScratch();
        using var generator = model.AsEmbeddingGenerator(ml, "Text", "Embedding");
        using var source = new CancellationTokenSource();
        source.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => generator.GenerateAsync(Texts, cancellationToken: source.Token), "a TaskCanceledException is one");
    }

    [TestMethod]
    public void ScoringStopsWithinOneGroupOfTheCancellation()
    {
        // The mechanism GenerateAsync relies on: the token of the logical call is checked before each group.
        using var source = new CancellationTokenSource();
        var groups = Enumerable.Range(0, 50).Select(g => new[] { g }).ToArray();
        int scored = 0;
        using (ScoringCancellation.Use(source.Token))
        {
            Assert.ThrowsExactly<OperationCanceledException>(() => ConcurrentGroups.ForEach(groups, _ =>
            {
                if (Interlocked.Increment(ref scored) == 3)
                    source.Cancel();
                Thread.Sleep(5);
            }));
        }
        // The group that cancelled and those already started on the other workers, no more.
        Assert.IsLessThanOrEqualTo(3 + TorchSharp.torch.get_num_threads(), scored, $"{scored} groups were scored");
        Assert.AreEqual(CancellationToken.None, ScoringCancellation.Current, "the caller's token is gone after the call");
        int all = 0;
        ConcurrentGroups.ForEach(groups, _ => Interlocked.Increment(ref all));
        Assert.AreEqual(groups.Length, all, "without a token every group is scored");
    }

    [TestMethod]
    public async Task WrongColumnsAndDimensionsAreRefused()
    {
        var (ml, model) = FromScratch();
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.AsEmbeddingGenerator(ml, "Text", "Vector"));
        StringAssert.Contains(missing.Message, "'Vector'");
        StringAssert.Contains(missing.Message, "Embedding");
        var notVector = Assert.Throws<ArgumentOutOfRangeException>(() => model.AsEmbeddingGenerator(ml, "Text", "Text"));
        StringAssert.Contains(notVector.Message, "Text");
        StringAssert.Contains(notVector.Message, "vector");

        using var generator = model.AsEmbeddingGenerator(ml, "Text", "Embedding");
        var wrongSize = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(Texts, new EmbeddingGenerationOptions { Dimensions = generator.Dimensions + 1 }));
        StringAssert.Contains(wrongSize.Message, $"{generator.Dimensions} dimensions");
        var same = await generator.GenerateAsync(Texts, new EmbeddingGenerationOptions { Dimensions = generator.Dimensions });
        Assert.HasCount(Texts.Length, same);
        generator.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => generator.GenerateAsync(Texts));
    }
}
