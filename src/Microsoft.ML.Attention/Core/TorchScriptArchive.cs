using System;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// Writes, in memory, the archive <c>torch.jit.save</c> would write for a module with no parameters whose methods are
/// given as TorchScript source, for <c>torch.jit.load</c> to compile.
/// </summary>
/// <remarks>
/// Why: <c>torch.jit.compile</c> resolves only <c>torch.*</c> (the aten operators), while a loaded module's code also
/// resolves <c>ops.&lt;namespace&gt;.*</c>, which is where libtorch keeps operators such as oneDNN's fused linear
/// layers (<see cref="InferenceLinear"/>). The archive holds what the loader reads: <c>version</c>, the empty constant
/// table, the module object (a pickle of its class with its one attribute, <c>training</c> = false) and the class's
/// source under <c>code/</c>. A compile error in the source ends the process (libtorch throws an exception TorchSharp
/// does not catch), so callers pass only source whose operators they know exist.
/// </remarks>
internal static class TorchScriptArchive
{
    private const string Root = "module/";

    /// <param name="className">The module's class name (a Python identifier).</param>
    /// <param name="methods">The class body's methods, each <c>def name(self, ...)</c> indented by two spaces.</param>
    public static byte[] Module(string className, string methods)
    {
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "version", Encoding.ASCII.GetBytes("3\n"));
            Add(zip, "constants.pkl", new byte[] { Proto, 2, EmptyTuple, Stop });
            Add(zip, "data.pkl", ModuleObject(className));
            var source = $"class {className}(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n{methods}";
            Add(zip, "code/__torch__.py", Encoding.UTF8.GetBytes(source));
        }
        return bytes.ToArray();
    }

    // Pickle opcodes (protocol 2) of the module object: __torch__.<class>(), then BUILD with {"training": False}.
    private const byte Proto = 0x80, Global = (byte)'c', EmptyTuple = (byte)')', NewObject = 0x81, EmptyDictionary = (byte)'}',
        Mark = (byte)'(', Unicode = (byte)'X', False = 0x89, SetItems = (byte)'u', Build = (byte)'b', Stop = (byte)'.';

    private static byte[] ModuleObject(string className)
    {
        using var pickle = new MemoryStream();
        pickle.Write(new byte[] { Proto, 2, Global });
        pickle.Write(Encoding.ASCII.GetBytes($"__torch__\n{className}\n"));
        pickle.Write(new byte[] { EmptyTuple, NewObject, EmptyDictionary, Mark, Unicode });
        var name = Encoding.ASCII.GetBytes("training");
        pickle.Write(BitConverter.GetBytes(name.Length)); // little-endian on every platform libtorch runs on
        pickle.Write(name);
        pickle.Write(new byte[] { False, SetItems, Build, Stop });
        return pickle.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var stream = zip.CreateEntry(Root + name, CompressionLevel.NoCompression).Open();
        stream.Write(content);
    }
}
