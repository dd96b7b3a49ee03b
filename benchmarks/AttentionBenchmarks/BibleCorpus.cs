using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace AttentionBenchmarks;

/// <summary>
/// A binary corpus for issue 20: the verses of the King James Bible (Debian's <c>bible-kjv</c> and
/// <c>bible-kjv-text</c>), labelled Old or New Testament. Short texts (about 30 words), two unbalanced classes
/// (about 3:1), a register (archaic narrative, law, letters, verse) unlike the other corpora.
/// <para>Rules (ordinal comparisons):</para>
/// <list type="number">
/// <item>Input: the output of <c>bible Gen1:1-Rev22:21</c> (installed with <c>apt-get install -y bible-kjv</c> when
/// missing): a chapter heading "Book N" between blank lines, then verses "  N text" whose wrapped lines continue
/// without indentation.</item>
/// <item>Text = the verse's lines joined with spaces; label = "new" from the heading "Matthew 1" on, "old" before.</item>
/// <item>Fisher–Yates shuffle with <c>new Random(20261205)</c>; the first 3,000 are the test set, the rest train.</item>
/// </list>
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --corpus bible --corpus-only
/// </summary>
public static class BibleCorpus
{
    public const int Seed = 20261205, TestDocuments = 3000;
    private static readonly Regex Heading = new(@"^(\S.*) (\d+)$", RegexOptions.CultureInvariant);
    private static readonly Regex Verse = new(@"^\s+(\d+) (.*)$", RegexOptions.CultureInvariant);

    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log)
        => Corpus.LoadOrBuild("bible", Path.Combine(cacheDirectory, "bible"), rebuild, log, () => Build(log));

    public static Corpus Build(TextWriter log)
    {
        if (!File.Exists("/usr/bin/bible"))
        {
            log.WriteLine("bible missing; running: apt-get install -y bible-kjv");
            DebianCorpus.RunChecked("apt-get", "install -y bible-kjv", log);
        }
        var documents = new List<Document>();
        string label = "old", chapter = "";
        var verse = new List<string>();
        string verseNumber = "";
        void Flush()
        {
            if (verse.Count > 0)
                documents.Add(new Document(label, $"{chapter}:{verseNumber}", string.Join(' ', verse).Trim()));
            verse.Clear();
        }
        string previous = "";
        foreach (string line in ReadOutput("/usr/bin/bible", "Gen1:1-Rev22:21"))
        {
            Match m;
            if (previous.Length == 0 && (m = Heading.Match(line)).Success)
            {
                Flush();
                chapter = line.Replace(' ', '-');
                if (line == "Matthew 1")
                    label = "new";
            }
            else if ((m = Verse.Match(line)).Success)
            {
                Flush();
                verseNumber = m.Groups[1].Value;
                verse.Add(m.Groups[2].Value);
            }
            else if (line.Length > 0)
            {
                verse.Add(line.Trim());
            }
            previous = line;
        }
        Flush();
        if (label != "new" || documents.Count < 30000)
            throw new InvalidDataException($"bible's output was not read as expected ({documents.Count} verses)");
        var random = new Random(Seed);
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        log.WriteLine($"{documents.Count} verses, {documents.Count(d => d.Label == "new")} of the New Testament");
        return new Corpus("bible", documents.Skip(TestDocuments).ToList(), documents.Take(TestDocuments).ToList());
    }

    internal static IEnumerable<string> ReadOutput(string fileName, string arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            Environment = { ["COLUMNS"] = "80" },
        }) ?? throw new InvalidOperationException($"Cannot start {fileName}");
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is string line)
            lines.Add(line);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {arguments} failed ({process.ExitCode})");
        return lines;
    }
}
