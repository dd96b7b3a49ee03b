using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>Damages saved model zips the way an unlucky or hostile user would, and reads the reason a load failed.</summary>
internal static class ModelZip
{
    public static readonly byte[] WeightsMagic = Encoding.ASCII.GetBytes("MLATTN-WEIGHTS");

    public static byte[] Save(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    public static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                return i;
        return -1;
    }

    /// <summary>Rewrites the one zip entry that contains <paramref name="marker"/>.</summary>
    public static byte[] Edit(byte[] zip, byte[] marker, Func<byte[], int, byte[]> edit)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var found = 0;
            foreach (var entry in archive.Entries.ToList())
            {
                byte[] bytes;
                using (var read = entry.Open())
                using (var copy = new MemoryStream())
                {
                    read.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                int at = IndexOf(bytes, marker);
                if (at < 0)
                    continue;
                found++;
                var name = entry.FullName;
                entry.Delete();
                using var write = archive.CreateEntry(name).Open();
                write.Write(edit(bytes, at));
            }
            Assert.AreEqual(1, found, "exactly one entry holds the marker");
        }
        return stream.ToArray();
    }

    /// <summary>Every entry's name and bytes.</summary>
    public static System.Collections.Generic.Dictionary<string, byte[]> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var read = e.Open();
            using var copy = new MemoryStream();
            read.CopyTo(copy);
            return copy.ToArray();
        });
    }

    /// <summary>Rewrites the one zip entry whose name ends with <paramref name="suffix"/>.</summary>
    public static byte[] EditEntry(byte[] zip, string suffix, Func<byte[], byte[]> edit)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.Entries.Single(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal));
            byte[] bytes;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                bytes = copy.ToArray();
            }
            var name = entry.FullName;
            entry.Delete();
            using var write = archive.CreateEntry(name).Open();
            write.Write(edit(bytes));
        }
        return stream.ToArray();
    }

    /// <summary>Writes <paramref name="value"/> over the bytes at <paramref name="offset"/> of the entry whose name ends with <paramref name="suffix"/>.</summary>
    public static byte[] Overwrite(byte[] zip, string suffix, Func<byte[], int> offset, byte[] value) => EditEntry(zip, suffix, bytes =>
    {
        var copy = (byte[])bytes.Clone();
        value.CopyTo(copy, offset(copy));
        return copy;
    });

    /// <summary>
    /// Rewrites the first string of the module checkpoint's architecture block (the architecture JSON, or a pretrained
    /// encoder's config.json): magic, format, block length, block; the rest of the block and the weights are kept.
    /// </summary>
    public static byte[] EditArchitecture(byte[] zip, Func<string, string> edit) => Edit(zip, WeightsMagic, (bytes, _) =>
    {
        using var input = new BinaryReader(new MemoryStream(bytes));
        var magic = input.ReadString();
        var format = input.ReadInt32();
        var block = input.ReadBytes(input.ReadInt32());
        var rest = input.ReadBytes(bytes.Length);
        using var blockReader = new BinaryReader(new MemoryStream(block));
        var json = blockReader.ReadString();
        var blockRest = blockReader.ReadBytes(block.Length);

        using var newBlock = new MemoryStream();
        using (var writer = new BinaryWriter(newBlock, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(edit(json));
            writer.Write(blockRest);
        }
        using var output = new MemoryStream();
        using (var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(format);
            writer.Write((int)newBlock.Length);
            writer.Write(newBlock.ToArray());
            writer.Write(rest);
        }
        return output.ToArray();
    });

    /// <summary>Replaces <paramref name="field"/>'s number in a JSON document (written without spaces) by <paramref name="value"/>.</summary>
    public static string SetNumber(string json, string field, string value)
    {
        var edited = System.Text.RegularExpressions.Regex.Replace(json, $"(\"{field}\"\\s*:\\s*)-?[0-9.eE+-]+", m => m.Groups[1].Value + value);
        Assert.AreNotEqual(json, edited, $"the JSON has a number field {field}");
        return edited;
    }

    public static Exception Load(byte[] zip)
        => Assert.Throws<Exception>(() => new MLContext(seed: 2).Model.Load(new MemoryStream(zip), out _));

    public static string Chain(Exception error)
    {
        var parts = new System.Collections.Generic.List<string>();
        for (var e = error; e != null; e = e.InnerException)
            parts.Add(e.GetType().Name + ": " + e.Message);
        return string.Join(" <- ", parts);
    }

    /// <summary>
    /// The exception with the reason. ML.NET calls loaders by reflection and wraps what they throw in
    /// TargetInvocationException and InvalidOperationException("Error during class instantiation").
    /// </summary>
    public static Exception Reason(Exception error)
    {
        while (error.InnerException is { } inner
            && (error is System.Reflection.TargetInvocationException || error is InvalidOperationException && error.Message.StartsWith("Error during class instantiation", StringComparison.Ordinal)))
            error = inner;
        return error;
    }

    /// <summary>Loading fails with the library's clear error (InvalidDataException) whose message holds every fragment.</summary>
    public static InvalidDataException Refused(byte[] zip, params string[] fragments)
    {
        var chain = Load(zip);
        var error = Reason(chain);
        Assert.IsInstanceOfType<InvalidDataException>(error, Chain(chain));
        foreach (var fragment in fragments)
            StringAssert.Contains(error.Message, fragment, Chain(chain));
        return (InvalidDataException)error;
    }
}
