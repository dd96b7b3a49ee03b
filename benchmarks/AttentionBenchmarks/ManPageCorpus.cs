using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AttentionBenchmarks;

/// <summary>
/// A long-document corpus for issue 20: the English manual pages installed on the machine, labelled by their section
/// (1 user commands, 2 system calls, 3 library functions, 5 file formats, 7 overviews, 8 administration). Pages of
/// hundreds to thousands of words, so most are cut at the encoder's 256 tokens.
/// <para>Rules (ordinal comparisons):</para>
/// <list type="number">
/// <item>Input: the regular files <c>/usr/share/man/man[1-8]/*.gz</c> (<c>apt-get install -y manpages manpages-dev</c>
/// when <c>man2</c> is missing); a page that is only a <c>.so</c> redirect is dropped. Label = the section's
/// digit.</item>
/// <item>Text = the roff source with comments, <c>.TH</c> (it names the section) and other request lines without text
/// dropped; font, size and character escapes removed; a paragraph request (.SH .SS .PP .P .LP .TP .IP .HP) starts a new
/// line. Pages under 50 words are dropped.</item>
/// <item>Files in name order; a family (the name before its first '-', '_' or '.') keeps at most
/// <see cref="PerFamily"/> pages, so one tool's generated reference pages (16,000 of <c>gcloud</c>'s here) do not
/// fill a section; then a Fisher–Yates shuffle with <c>new Random(20261206)</c>, at most <see cref="PerClass"/> per
/// section in shuffled order, sections under 100 pages dropped; the first third is the test set, the rest train.</item>
/// </list>
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --corpus manpages --corpus-only
/// </summary>
public static class ManPageCorpus
{
    public const int Seed = 20261206, PerFamily = 20, PerClass = 600, MinimumPerClass = 100;
    private static readonly Regex Escape = new(@"\\(f(\[[^\]]*\]|\(..|.)|s[-+]?\d+|\((..)|\[([^\]]*)\]|\*(\(..|\[[^\]]*\]|.)|n(\(..|.)|[&%|^:c,/]|(.))",
        RegexOptions.CultureInvariant);
    private static readonly string[] ParagraphRequests = { "SH", "SS", "PP", "P", "LP", "TP", "IP", "HP", "sp", "br" };
    private static readonly string[] FontRequests = { "B", "I", "R", "SM", "SB", "BR", "RB", "IR", "RI", "BI", "IB", "UR", "MT", "Nm", "Nd", "Fn", "Fa", "Ar", "Fl", "Xr", "Sh" };

    public static Corpus Load(string cacheDirectory, bool rebuild, TextWriter log)
        => Corpus.LoadOrBuild("manpages", Path.Combine(cacheDirectory, "manpages"), rebuild, log, () => Build(log));

    public static Corpus Build(TextWriter log)
    {
        if (!System.IO.Directory.Exists("/usr/share/man/man2"))
        {
            log.WriteLine("man2 missing; running: apt-get install -y manpages manpages-dev");
            DebianCorpus.RunChecked("apt-get", "install -y manpages manpages-dev", log);
        }
        var perFamily = new Dictionary<string, int>(StringComparer.Ordinal);
        var documents = new List<Document>();
        for (int section = 1; section <= 8; section++)
        {
            string folder = $"/usr/share/man/man{section}";
            if (!System.IO.Directory.Exists(folder))
                continue;
            foreach (string path in System.IO.Directory.GetFiles(folder, "*.gz").Order(StringComparer.Ordinal))
            {
                if (new FileInfo(path).LinkTarget != null)
                    continue;
                string name = Path.GetFileName(path);
                string family = $"{section}/{name[..Math.Max(1, name.IndexOfAny(new[] { '-', '_', '.' }))]}";
                if (perFamily.GetValueOrDefault(family) >= PerFamily)
                    continue;
                string text = ToText(ReadGzip(path));
                if (text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length < 50)
                    continue;
                perFamily[family] = perFamily.GetValueOrDefault(family) + 1;
                documents.Add(new Document(section.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{section}/{name}", text));
            }
        }
        var random = new Random(Seed);
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        var kept = new List<Document>();
        var perClass = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Document d in documents)
        {
            if (perClass.GetValueOrDefault(d.Label) < PerClass)
            {
                perClass[d.Label] = perClass.GetValueOrDefault(d.Label) + 1;
                kept.Add(d);
            }
        }
        kept = kept.Where(d => perClass[d.Label] >= MinimumPerClass).ToList();
        int test = kept.Count / 3;
        log.WriteLine($"{kept.Count} manual pages in {kept.Select(d => d.Label).Distinct().Count()} sections");
        return new Corpus("manpages", kept.Skip(test).ToList(), kept.Take(test).ToList());
    }

    private static string ReadGzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The running text of a roff page: what a reader sees, without layout.</summary>
    internal static string ToText(string roff)
    {
        if (roff.TrimStart().StartsWith(".so ", StringComparison.Ordinal))
            return "";
        var output = new StringBuilder();
        var line = new StringBuilder();
        void Break()
        {
            if (line.Length > 0)
                output.Append(Regex.Replace(line.ToString(), @"\s+", " ").Trim()).Append('\n');
            line.Clear();
        }
        foreach (string raw in roff.Split('\n'))
        {
            string text = raw.TrimEnd('\r');
            if (text.StartsWith(".\\\"", StringComparison.Ordinal) || text.StartsWith("'\\\"", StringComparison.Ordinal) || text.StartsWith("\\\"", StringComparison.Ordinal))
                continue;
            if (text.StartsWith('.') || text.StartsWith('\''))
            {
                string request = text[1..].TrimStart();
                int space = request.IndexOfAny(new[] { ' ', '\t' });
                string name = space < 0 ? request : request[..space];
                string arguments = space < 0 ? "" : request[(space + 1)..];
                if (Array.IndexOf(ParagraphRequests, name) >= 0)
                {
                    Break();
                    if (name is "SH" or "SS" && arguments.Length > 0)
                    {
                        line.Append(Clean(arguments.Replace("\"", ""))).Append(' ');
                        Break();
                    }
                    else if (name is "IP" && arguments.Length > 0)
                    {
                        line.Append(Clean(arguments.Split('"', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "")).Append(' ');
                    }
                }
                else if (Array.IndexOf(FontRequests, name) >= 0)
                {
                    line.Append(Clean(arguments.Replace("\"", ""))).Append(' ');
                }
                continue;
            }
            line.Append(Clean(text)).Append(' ');
        }
        Break();
        return output.ToString().TrimEnd('\n');
    }

    private static string Clean(string text) => Escape.Replace(text, m =>
        m.Groups[3].Success ? Character(m.Groups[3].Value)
        : m.Groups[4].Success ? Character(m.Groups[4].Value)
        : m.Groups[7].Success ? (m.Groups[7].Value switch { "-" => "-", "e" => "\\", " " => " ", "~" => " ", "0" => " ", _ => m.Groups[7].Value })
        : "");

    private static string Character(string name) => name switch
    {
        "em" or "en" => "-",
        "aq" or "cq" or "oq" => "'",
        "dq" or "lq" or "rq" => "\"",
        "bu" => "*",
        "ti" or "ap" => "~",
        "ha" or "a^" => "^",
        "rs" => "\\",
        "mi" or "hy" => "-",
        "co" => "(c)",
        "<=" => "<=",
        ">=" => ">=",
        "!=" => "!=",
        "->" => "->",
        "lB" => "[",
        "rB" => "]",
        "lC" => "{",
        "rC" => "}",
        "ba" or "or" => "|",
        _ => "",
    };
}
