using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;

namespace Microsoft.ML.Attention.Tests.Infrastructure.Fuzz;

/// <summary>
/// One small valid input of a fuzz kind, as its files (zip entries, a folder's files or one vector file), the rows the
/// checker scores it on, and how a case is written.
/// </summary>
internal sealed record FuzzInput(string Kind, IReadOnlyDictionary<string, byte[]> Files, IDataView Rows)
{
    /// <summary>
    /// The files a mutation edits: a zip's entries that the library reads (those beside a Model.key naming its assembly),
    /// not ML.NET's schema or its own transformers; every file of a folder.
    /// </summary>
    public IReadOnlyList<string> Targets => Files.Keys.Where(path => Kind is "huggingface" or "sentence-transformers" or "onnx" or "distilbert" or "vectors"
        || Files.TryGetValue(Path.GetDirectoryName(path) + "/Model.key", out var header) && ModelZip.IndexOf(header, Encoding.Unicode.GetBytes("Microsoft.ML.Attention")) >= 0)
        .OrderBy(path => path, StringComparer.Ordinal).ToList();

    /// <summary>Every kind, with the rows each is scored on (or, for word vectors, trained on).</summary>
    public static IEnumerable<FuzzInput> All(string scratch)
    {
        var ml = new MLContext(seed: 1);
        var sequences = ml.Data.LoadFromEnumerable(SequenceData.Generate(8, 2, seed: 4));
        var documents = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(8, seed: 4));
        var texts = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 4));
        var tiny = new TinyBert();
        var bert = tiny.WriteFolder(Path.Combine(scratch, "tiny-bert"));
        yield return new("pooling", ModelZip.Entries(SmallModelZips.Pooling()), sequences);
        yield return new("han", ModelZip.Entries(SmallModelZips.Han()), documents);
        yield return new("featurizer", ModelZip.Entries(SmallModelZips.Featurizer()), texts);
        yield return new("pretrained", ModelZip.Entries(SmallModelZips.Pretrained(bert)), texts);
        yield return new("huggingface", Folder(bert), texts);
        yield return new("sentence-transformers", SentenceTransformers(Folder(bert)), texts);
        yield return new("onnx", Folder(TinyBertOnnx.WriteFolder(tiny, Path.Combine(scratch, "tiny-bert-onnx"))), texts);
        // The stored tiny DistilBERT (Pretrained/Data/tiny-distilbert) as a Hugging Face folder, without its export and reference.
        var distilBert = Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", "tiny-distilbert");
        yield return new("distilbert", new[] { "config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors" }
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(distilBert, f))), texts);
        var training = SyntheticDocuments.Generate(24, seed: 5);
        yield return new("vectors", new Dictionary<string, byte[]> { ["vectors.txt"] = Vectors(training.Select(d => d.Text)) }, ml.Data.LoadFromEnumerable(training));
    }

    /// <summary>Writes case <paramref name="index"/> (a zip, a folder or a vector file) into <paramref name="folder"/>.</summary>
    public void Write(string folder, int index, IReadOnlyDictionary<string, byte[]> files)
    {
        var name = Path.Combine(folder, $"case-{index:D4}");
        switch (Kind)
        {
            case "huggingface" or "sentence-transformers" or "onnx" or "distilbert":
                foreach (var (path, bytes) in files)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(name, path))!);
                    File.WriteAllBytes(Path.Combine(name, path), bytes);
                }
                break;
            case "vectors":
                File.WriteAllBytes(name + ".txt", files.Values.Single());
                break;
            default:
                using (var archive = ZipFile.Open(name + ".zip", ZipArchiveMode.Create))
                    foreach (var (path, bytes) in files)
                    {
                        using var entry = archive.CreateEntry(path).Open();
                        entry.Write(bytes);
                    }
                break;
        }
    }

    private static Dictionary<string, byte[]> Folder(string folder)
        => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private static Dictionary<string, byte[]> SentenceTransformers(Dictionary<string, byte[]> bert)
    {
        bert["modules.json"] = Encoding.UTF8.GetBytes("""
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """);
        bert["1_Pooling/config.json"] = Encoding.UTF8.GetBytes($$"""
            {"word_embedding_dimension": {{TinyBert.Hidden}}, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
             "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
            """);
        bert["sentence_bert_config.json"] = Encoding.UTF8.GetBytes("""{"max_seq_length": 10, "do_lower_case": true}""");
        return bert;
    }

    // word2vec's text format: a "count dimension" header, then a word and its components a line.
    private static byte[] Vectors(IEnumerable<string> texts)
    {
        var random = new Random(6);
        var words = texts.SelectMany(t => t.ToLowerInvariant().Split(' ', '.', ',')).Where(w => w.Length > 0).Distinct().Take(30).ToList();
        var lines = words.Select(w => w + " " + string.Join(" ", Enumerable.Range(0, 4).Select(_ => (random.NextDouble() - 0.5).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))));
        return Encoding.UTF8.GetBytes($"{words.Count} 4\n" + string.Join("\n", lines) + "\n");
    }
}
