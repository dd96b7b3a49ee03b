using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace AttentionBenchmarks;

/// <summary>
/// Debian package-description topic corpus, built deterministically from the machine's apt lists.
/// <para>Rules (all ordinal string comparisons):</para>
/// <list type="number">
/// <item>Inputs: <c>/var/lib/apt/lists/*_main_binary-amd64_Packages.lz4</c> and
/// <c>*_main_i18n_Translation-en.lz4</c>, decompressed with <c>/usr/lib/apt/apt-helper cat-file</c>. If none exist,
/// <c>apt-get update -o Acquire::Languages=en</c> is run first. Files are read in ordinal path order; on this
/// machine that is bookworm-security, bookworm, bookworm-updates.</item>
/// <item>Package → Section and Description-md5: first stanza of that package name in that file order. Section is
/// the part after the last '/', i.e. an area prefix ("contrib/", "non-free/") is stripped so "contrib/games"
/// counts as "games" (main has no prefixes, so this matters only for other lists).</item>
/// <item>Description: the Translation-en stanza matching (Package, Description-md5); if none matches, the first
/// stanza of that package. First line = short description. Long body: continuation lines with their one leading
/// space removed; " ." is a paragraph break; lines starting with two or more spaces are verbatim lines (kept as
/// their own line, trimmed); other lines are word-wrapped text joined with a single space into their paragraph.
/// Paragraphs and verbatim lines are joined with '\n'.</item>
/// <item>Document text = short description + '\n' + body. Documents whose body has fewer than 80 characters
/// (<c>--min-body</c>) are dropped.</item>
/// <item>Sorted by package name; a document whose body equals an earlier one's is dropped (first package wins).</item>
/// <item>Only the 20 most frequent sections (count descending, then name) are kept.</item>
/// <item>Fisher–Yates shuffle with <c>new Random(20240601)</c> over the list sorted by package name
/// (for i = n-1 … 1: j = Next(i+1), swap); the first floor(n/5) documents are the test set, the rest train.</item>
/// </list>
/// </summary>
public static class DebianCorpus
{
    public const int Seed = 20240601;
    public const int SectionCount = 20;
    public const int DefaultMinimumBodyLength = 80;
    private const string ListsDirectory = "/var/lib/apt/lists";
    private const string AptHelper = "/usr/lib/apt/apt-helper";

    /// <summary>Loads the cached split from <paramref name="cacheDirectory"/>, or builds and caches it.</summary>
    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log, int minimumBodyLength = DefaultMinimumBodyLength)
        => Corpus.LoadOrBuild("debian", cacheDirectory, rebuild, log, () => Build(log, minimumBodyLength));

    public static Corpus Build(TextWriter log, int minimumBodyLength = DefaultMinimumBodyLength)
    {
        string[] packageFiles = ListFiles("*_main_binary-amd64_Packages.lz4");
        string[] translationFiles = ListFiles("*_main_i18n_Translation-en.lz4");
        if (packageFiles.Length == 0 || translationFiles.Length == 0)
        {
            log.WriteLine("apt lists missing; running: apt-get update -o Acquire::Languages=en");
            RunChecked("apt-get", "update -o Acquire::Languages=en", log);
            packageFiles = ListFiles("*_main_binary-amd64_Packages.lz4");
            translationFiles = ListFiles("*_main_i18n_Translation-en.lz4");
            if (packageFiles.Length == 0 || translationFiles.Length == 0)
            {
                throw new InvalidOperationException("No lz4-compressed main Packages/Translation-en lists after apt-get update.");
            }
        }

        // Package -> (section, description md5), first occurrence wins.
        var packages = new Dictionary<string, (string Section, string Md5)>(StringComparer.Ordinal);
        foreach (string file in packageFiles)
        {
            log.WriteLine($"Reading {file}");
            foreach (Dictionary<string, string> stanza in ReadStanzas(file, "Package", "Section", "Description-md5"))
            {
                if (!stanza.TryGetValue("Package", out string? name) || !stanza.TryGetValue("Section", out string? section))
                {
                    continue;
                }
                int slash = section.LastIndexOf('/');
                section = slash >= 0 ? section[(slash + 1)..] : section;
                packages.TryAdd(name, (section, stanza.GetValueOrDefault("Description-md5") ?? ""));
            }
        }

        var byMd5 = new Dictionary<(string, string), string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in translationFiles)
        {
            log.WriteLine($"Reading {file}");
            foreach (Dictionary<string, string> stanza in ReadStanzas(file, "Package", "Description-md5", "Description-en"))
            {
                if (!stanza.TryGetValue("Package", out string? name) || !stanza.TryGetValue("Description-en", out string? description))
                {
                    continue;
                }
                byMd5.TryAdd((name, stanza.GetValueOrDefault("Description-md5") ?? ""), description);
                byName.TryAdd(name, description);
            }
        }

        var seenBodies = new HashSet<string>(StringComparer.Ordinal);
        var documents = new List<Document>();
        int shortBodies = 0, duplicates = 0, missing = 0;
        foreach (KeyValuePair<string, (string Section, string Md5)> package in packages.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!byMd5.TryGetValue((package.Key, package.Value.Md5), out string? raw) && !byName.TryGetValue(package.Key, out raw))
            {
                missing++;
                continue;
            }
            (string shortDescription, string body) = ParseDescription(raw);
            if (body.Length < minimumBodyLength)
            {
                shortBodies++;
                continue;
            }
            if (!seenBodies.Add(body))
            {
                duplicates++;
                continue;
            }
            documents.Add(new Document(package.Value.Section, package.Key, shortDescription + "\n" + body));
        }
        log.WriteLine($"{packages.Count} packages; {missing} without description, {shortBodies} with body < {minimumBodyLength} chars, {duplicates} duplicate bodies; {documents.Count} documents");

        var topSections = documents.GroupBy(d => d.Label)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(SectionCount).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        List<Document> kept = documents.Where(d => topSections.Contains(d.Label)).ToList(); // still sorted by package name
        log.WriteLine($"{kept.Count} documents in the {SectionCount} most frequent sections");

        var random = new Random(Seed);
        for (int i = kept.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (kept[i], kept[j]) = (kept[j], kept[i]);
        }
        int testCount = kept.Count / 5;
        return new Corpus("debian", kept.Skip(testCount).ToList(), kept.Take(testCount).ToList());
    }

    /// <summary>Splits a raw Description-en value into the short description and the normalized long body.</summary>
    public static (string Short, string Body) ParseDescription(string raw)
    {
        string[] lines = raw.Split('\n');
        string shortDescription = lines[0].Trim();
        var output = new List<string>();
        var paragraph = new StringBuilder();
        void Flush()
        {
            if (paragraph.Length > 0)
            {
                output.Add(paragraph.ToString());
                paragraph.Clear();
            }
        }
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].Length > 0 && (lines[i][0] == ' ' || lines[i][0] == '\t') ? lines[i][1..] : lines[i];
            if (line.TrimEnd() == ".")
            {
                Flush();
            }
            else if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                Flush();
                string verbatim = line.Trim();
                if (verbatim.Length > 0)
                {
                    output.Add(verbatim);
                }
            }
            else
            {
                string text = line.Trim();
                if (text.Length > 0)
                {
                    if (paragraph.Length > 0)
                    {
                        paragraph.Append(' ');
                    }
                    paragraph.Append(text);
                }
            }
        }
        Flush();
        return (shortDescription, string.Join('\n', output));
    }

    private static string[] ListFiles(string pattern) =>
        Directory.Exists(ListsDirectory)
            ? Directory.GetFiles(ListsDirectory, pattern).OrderBy(f => f, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();

    /// <summary>Streams deb822 stanzas of an apt list, keeping only the requested fields (multi-line values joined with '\n').</summary>
    private static IEnumerable<Dictionary<string, string>> ReadStanzas(string file, params string[] fields)
    {
        var wanted = new HashSet<string>(fields, StringComparer.OrdinalIgnoreCase);
        var startInfo = new ProcessStartInfo(AptHelper)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        startInfo.ArgumentList.Add("cat-file");
        startInfo.ArgumentList.Add(file);
        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Cannot start {AptHelper}");
        var stanza = new Dictionary<string, string>(StringComparer.Ordinal);
        string? field = null;
        var value = new StringBuilder();
        void EndField()
        {
            if (field != null)
            {
                stanza[field] = value.ToString();
            }
            field = null;
            value.Clear();
        }
        string? line;
        while ((line = process.StandardOutput.ReadLine()) != null)
        {
            if (line.Length == 0)
            {
                EndField();
                if (stanza.Count > 0)
                {
                    yield return stanza;
                    stanza = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                continue;
            }
            if (line[0] == ' ' || line[0] == '\t')
            {
                if (field != null)
                {
                    value.Append('\n').Append(line);
                }
                continue;
            }
            EndField();
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            string name = line[..colon];
            if (wanted.Contains(name))
            {
                field = name;
                value.Append(line.AsSpan(colon + 1).Trim());
            }
        }
        EndField();
        if (stanza.Count > 0)
        {
            yield return stanza;
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{AptHelper} cat-file {file} exited with {process.ExitCode}");
        }
    }

    internal static void RunChecked(string fileName, string arguments, TextWriter log)
    {
        using Process process = Process.Start(new ProcessStartInfo(fileName, arguments) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Cannot start {fileName}");
        process.WaitForExit();
        log.WriteLine($"{fileName} {arguments} exited with {process.ExitCode}");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {arguments} failed ({process.ExitCode})");
        }
    }
}
