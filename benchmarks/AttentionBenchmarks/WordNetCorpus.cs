using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AttentionBenchmarks;

/// <summary>
/// A second corpus, unlike the Debian descriptions: WordNet 3.0's noun and verb senses, labelled by their lexicographer
/// file (40 semantic fields such as noun.food, noun.artifact, verb.motion). Short texts (a headword and its definition
/// with examples, about 15 words), many classes: the shape of short item or request descriptions filed by topic.
/// <para>Rules (ordinal comparisons):</para>
/// <list type="number">
/// <item>Input: <c>/usr/share/wordnet/data.noun</c> and <c>data.verb</c> of Debian's <c>wordnet-base</c> (installed
/// with <c>apt-get install -y wordnet-base</c> when missing). Lines starting with two spaces are the licence.</item>
/// <item>Each synset line: offset, two-digit lexicographer file number, type, word count (hex), the words, ..., then
/// <c>| gloss</c>. Label = the file's name (WordNet 3.0 numbering, <see cref="LexicographerFiles"/>); noun.Tops (the
/// few top-level senses) is left out.</item>
/// <item>Text = the first word (underscores as spaces) + '\n' + the gloss, trimmed. A text equal to an earlier one's
/// (nouns before verbs, in file order) is dropped.</item>
/// <item>Fisher–Yates shuffle with <c>new Random(20261203)</c> over that order; the first 15,000 are kept, of which the
/// first 3,000 are the test set and the rest train.</item>
/// <item><c>wordnet-all</c> keeps every sense: the same test set, and a training set that begins with the same 12,000
/// documents, then the other 80,830 (for distillation with many unlabeled texts: <c>--train 4000</c> labels the same
/// 4,000 documents in both).</item>
/// </list>
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --corpus wordnet|wordnet-all --corpus-only
/// </summary>
public static class WordNetCorpus
{
    public const int Seed = 20261203;
    public const int Documents = 15000, TestDocuments = 3000;
    private const string Directory = "/usr/share/wordnet";

    /// <summary>WordNet 3.0's lexicographer files by number (lexnames).</summary>
    public static readonly string[] LexicographerFiles =
    {
        "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
        "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
        "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
        "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
        "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition", "verb.consumption",
        "verb.contact", "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession",
        "verb.social", "verb.stative", "verb.weather", "adj.ppl",
    };

    /// <summary>Loads the cached split from <paramref name="cacheDirectory"/>/wordnet, or builds and caches it.</summary>
    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log, bool all = false)
    {
        string name = all ? "wordnet-all" : "wordnet";
        return Corpus.LoadOrBuild(name, Path.Combine(cacheDirectory, name), rebuild, log, () => Build(log, all));
    }

    public static Corpus Build(TextWriter log, bool all = false)
    {
        string[] files = { Path.Combine(Directory, "data.noun"), Path.Combine(Directory, "data.verb") };
        if (!files.All(File.Exists))
        {
            log.WriteLine("WordNet missing; running: apt-get install -y wordnet-base");
            DebianCorpus.RunChecked("apt-get", "install -y wordnet-base", log);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var documents = new List<Document>();
        foreach (string file in files)
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.StartsWith("  ", StringComparison.Ordinal))
                    continue;
                int bar = line.IndexOf(" | ", StringComparison.Ordinal);
                string[] fields = (bar < 0 ? line : line[..bar]).Split(' ');
                if (bar < 0 || fields.Length < 5)
                    continue;
                string label = LexicographerFiles[int.Parse(fields[1], CultureInfo.InvariantCulture)];
                if (label == "noun.Tops")
                    continue;
                string text = fields[4].Replace('_', ' ') + "\n" + line[(bar + 3)..].Trim();
                if (seen.Add(text))
                    documents.Add(new Document(label, fields[2] + fields[0], text));
            }
        }
        var random = new Random(Seed);
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        var kept = all ? documents : documents.Take(Documents).ToList();
        log.WriteLine($"{documents.Count} WordNet noun and verb senses; keeping {kept.Count}");
        return new Corpus(all ? "wordnet-all" : "wordnet", kept.Skip(TestDocuments).ToList(), kept.Take(TestDocuments).ToList());
    }
}
