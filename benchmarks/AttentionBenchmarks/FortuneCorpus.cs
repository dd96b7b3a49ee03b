using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AttentionBenchmarks;

/// <summary>
/// A third corpus, kept aside for issue 20 (no default is chosen on it): the English fortune cookies of Debian's
/// <c>fortunes</c> and <c>fortunes-min</c> packages, labelled by their file (a topic or a source: computers, politics,
/// science, people, startrek, ...). Texts of a few lines (quotes, jokes, definitions, verse), classes that overlap:
/// the shape of free-text remarks filed by theme.
/// <para>Rules (ordinal comparisons):</para>
/// <list type="number">
/// <item>Input: every file of <c>/usr/share/games/fortunes</c> without an extension and without a '.' (installed with
/// <c>apt-get install -y fortunes fortunes-min</c> when missing); entries end at a line holding only '%'.</item>
/// <item>Text = the entry trimmed, tabs made spaces; entries shorter than 20 characters are dropped, as is a text equal
/// to an earlier one (files in name order).</item>
/// <item>Files with at least <see cref="MinimumPerClass"/> entries left are the classes; the others are dropped.</item>
/// <item>Fisher–Yates shuffle with <c>new Random(20261204)</c>; the first 3,000 are the test set, the rest train.</item>
/// </list>
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --corpus fortunes --corpus-only
/// </summary>
public static class FortuneCorpus
{
    public const int Seed = 20261204, TestDocuments = 3000, MinimumPerClass = 200;
    private const string Directory = "/usr/share/games/fortunes";

    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log)
        => Corpus.LoadOrBuild("fortunes", Path.Combine(cacheDirectory, "fortunes"), rebuild, log, () => Build(log));

    public static Corpus Build(TextWriter log)
    {
        if (!File.Exists(Path.Combine(Directory, "computers")))
        {
            log.WriteLine("fortunes missing; running: apt-get install -y fortunes fortunes-min");
            DebianCorpus.RunChecked("apt-get", "install -y fortunes fortunes-min", log);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var byFile = new List<(string Label, List<Document> Entries)>();
        foreach (string path in System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name.Contains('.', StringComparison.Ordinal))
                continue;
            var entries = new List<Document>();
            var current = new StringBuilder();
            void Flush()
            {
                string text = current.ToString().Replace('\t', ' ').Trim();
                current.Clear();
                if (text.Length >= 20 && seen.Add(text))
                    entries.Add(new Document(name, $"{name}-{entries.Count}", text));
            }
            foreach (string line in File.ReadLines(path, Encoding.UTF8))
            {
                if (line == "%")
                    Flush();
                else
                    current.Append(line).Append('\n');
            }
            Flush();
            byFile.Add((name, entries));
        }
        var documents = byFile.Where(f => f.Entries.Count >= MinimumPerClass).SelectMany(f => f.Entries).ToList();
        var random = new Random(Seed);
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        log.WriteLine($"{documents.Count} fortunes in {documents.Select(d => d.Label).Distinct().Count()} files of at least {MinimumPerClass} entries");
        return new Corpus("fortunes", documents.Skip(TestDocuments).ToList(), documents.Take(TestDocuments).ToList());
    }
}
