using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 36: the embedding generator against the Transform it runs. Frozen all-MiniLM-L6-v2 (as
/// <see cref="MiniLmFeaturizer"/>), the first <c>--score N</c> test texts (default 2000): in turn, three rounds, a
/// <c>Transform</c> of a new view read to the end (vectors copied out, as a user would), and one <c>GenerateAsync</c>
/// over the same texts; the best round of each counts. Prints docs/s of both and their ratio.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --scenario embedding-generator [--score 2000]
/// </summary>
public static class EmbeddingGeneratorScenario
{
    public static int Run(Corpus corpus, TextWriter log, int scoreCount)
    {
        var ml = new MLContext(seed: 1);
        var texts = corpus.Test.Take(scoreCount).Select(d => d.Text).ToList();
        var encoder = ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options(label: null, epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
        using var generator = encoder.AsEmbeddingGenerator(ml, "Text", "Embedding", modelId: "all-MiniLM-L6-v2");
        double bestTransform = double.PositiveInfinity, bestGenerator = double.PositiveInfinity;
        for (int round = 1; round <= 3; round++)
        {
            var clock = Stopwatch.StartNew();
            int rows = ml.Data.CreateEnumerable<Vector>(encoder.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }))), reuseRowObject: false).Count();
            double transform = clock.Elapsed.TotalSeconds;
            clock.Restart();
            int generated = Task.Run(() => generator.GenerateAsync(texts)).GetAwaiter().GetResult().Count;
            double generate = clock.Elapsed.TotalSeconds;
            if (rows != texts.Count || generated != texts.Count)
                throw new InvalidOperationException($"{rows} rows and {generated} embeddings for {texts.Count} texts");
            bestTransform = Math.Min(bestTransform, transform);
            bestGenerator = Math.Min(bestGenerator, generate);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round}: Transform {texts.Count / transform:F1} docs/s, GenerateAsync {texts.Count / generate:F1} docs/s"));
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {corpus.Name}, {texts.Count} texts | Transform {texts.Count / bestTransform:F1} docs/s | GenerateAsync {texts.Count / bestGenerator:F1} docs/s | {bestTransform / bestGenerator:F3}x |"));
        encoder.Dispose();
        return 0;
    }

    private sealed class Vector
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }
}
