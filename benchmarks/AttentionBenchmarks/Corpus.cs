using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AttentionBenchmarks;

/// <summary>One labelled document. <see cref="Text"/> uses '\n' as a hard sentence/paragraph boundary.</summary>
public sealed record Document(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text);

/// <summary>A train/test split with its label set.</summary>
public sealed class Corpus
{
    public Corpus(string name, IReadOnlyList<Document> train, IReadOnlyList<Document> test)
    {
        Name = name;
        Train = train;
        Test = test;
        Labels = train.Concat(test).Select(d => d.Label).Distinct().OrderBy(l => l, StringComparer.Ordinal).ToArray();
    }

    public string Name { get; }
    public IReadOnlyList<Document> Train { get; }
    public IReadOnlyList<Document> Test { get; }
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Prints per-label counts of both halves.</summary>
    public void PrintCounts(TextWriter log)
    {
        var train = Train.GroupBy(d => d.Label).ToDictionary(g => g.Key, g => g.Count());
        var test = Test.GroupBy(d => d.Label).ToDictionary(g => g.Key, g => g.Count());
        log.WriteLine($"Corpus '{Name}': {Train.Count} train, {Test.Count} test, {Labels.Count} labels");
        log.WriteLine($"  {"label",-20} {"train",7} {"test",7}");
        foreach (string label in Labels.OrderByDescending(l => train.GetValueOrDefault(l) + test.GetValueOrDefault(l)).ThenBy(l => l, StringComparer.Ordinal))
        {
            log.WriteLine($"  {label,-20} {train.GetValueOrDefault(label),7} {test.GetValueOrDefault(label),7}");
        }
    }

    /// <summary>
    /// Cache format: JSON lines (UTF-8, one object per line: {"label": ..., "id": ..., "text": ...}).
    /// Newlines inside the text are kept as JSON "\n" escapes, so both C# (System.Text.Json) and Python
    /// (json.loads per line) recover the exact text including sentence boundaries.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteJsonLines(Path.Combine(directory, "train.jsonl"), Train);
        WriteJsonLines(Path.Combine(directory, "test.jsonl"), Test);
    }

    /// <summary>The split cached in <paramref name="directory"/>, or <paramref name="build"/>'s, then cached there.</summary>
    public static Corpus LoadOrBuild(string name, string directory, bool rebuild, TextWriter log, Func<Corpus> build)
    {
        if (!rebuild && TryLoad(name, directory) is Corpus cached)
        {
            log.WriteLine($"Loaded cached {name} corpus from {directory}");
            return cached;
        }
        Corpus corpus = build();
        corpus.Save(directory);
        log.WriteLine($"Wrote {Path.Combine(directory, "train.jsonl")} and test.jsonl");
        return corpus;
    }

    public static Corpus? TryLoad(string name, string directory)
    {
        string train = Path.Combine(directory, "train.jsonl");
        string test = Path.Combine(directory, "test.jsonl");
        if (!File.Exists(train) || !File.Exists(test))
        {
            return null;
        }
        return new Corpus(name, ReadJsonLines(train), ReadJsonLines(test));
    }

    private static void WriteJsonLines(string path, IEnumerable<Document> documents)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        foreach (Document d in documents)
        {
            writer.WriteLine(JsonSerializer.Serialize(d));
        }
    }

    private static List<Document> ReadJsonLines(string path)
    {
        var documents = new List<Document>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }
            documents.Add(JsonSerializer.Deserialize<Document>(line) ?? throw new InvalidDataException($"Bad line in {path}"));
        }
        return documents;
    }
}
