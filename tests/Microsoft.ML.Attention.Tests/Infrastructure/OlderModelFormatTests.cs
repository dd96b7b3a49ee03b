using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// A model saved by the previous format must fail at Model.Load with "saved by an older version", not load garbage.
/// Such a file is made from a current one by writing the previous version numbers over the current ones: the rest of
/// the file stays valid, so only the version check can refuse it.
/// </summary>
[TestClass]
public sealed class OlderModelFormatTests
{
    private const uint PreviousModelVersion = 0x00010001;
    private const int PreviousCheckpointFormat = 1;

    private static byte[] SavedPooling()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(20, vectorSize: 2, seed: 2);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows))
            .Transform(ml.Data.LoadFromEnumerable(rows));
        var options = PoolingBehaviourTests.Fast(PoolingMode.Attention, vectorSize: 2);
        options.NumberOfEpochs = 1;
        using var pooling = ml.Transforms.AttentionPooling(options).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(pooling, data.Schema, stream);
        return stream.ToArray();
    }

    /// <summary>Rewrites every zip entry holding <paramref name="marker"/>, replacing the bytes that follow it.</summary>
    private static byte[] PatchAfter(byte[] zip, byte[] marker, byte[] replacement)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        int patched = 0;
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            foreach (var entry in archive.Entries.ToList())
            {
                byte[] bytes;
                using (var entryStream = entry.Open())
                using (var copy = new MemoryStream())
                {
                    entryStream.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                int at = bytes.AsSpan().IndexOf(marker);
                if (at < 0)
                    continue;
                replacement.CopyTo(bytes, at + marker.Length);
                var name = entry.FullName;
                entry.Delete();
                using (var rewritten = archive.CreateEntry(name).Open())
                    rewritten.Write(bytes);
                patched++;
            }
        }
        Assert.AreEqual(1, patched, "exactly one entry holds the marker");
        return stream.ToArray();
    }

    private static Exception LoadFails(byte[] zip)
    {
        var error = Assert.Throws<Exception>(() => new MLContext(seed: 1).Model.Load(new MemoryStream(zip), out _));
        // ML.NET wraps the loader's exception in a TargetInvocationException; the innermost one is the library's.
        while (error.InnerException != null)
            error = error.InnerException;
        return error;
    }

    [TestMethod]
    public void AModelStreamOfThePreviousVersionFailsSayingSo()
    {
        // The model header stores the 8-character model signature followed by the version written and the
        // version readable (two little-endian uints).
        var versions = BitConverter.GetBytes(PreviousModelVersion).Concat(BitConverter.GetBytes(PreviousModelVersion)).ToArray();
        var older = PatchAfter(SavedPooling(), Encoding.ASCII.GetBytes("ATTNPOOL"), versions);

        var error = LoadFails(older);
        Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
        StringAssert.Contains(error.Message, "attention pooling");
        StringAssert.Contains(error.Message, "saved by an older version of Microsoft.ML.Attention");
        StringAssert.Contains(error.Message, "0x00010001");
    }

    [TestMethod]
    public void AModuleCheckpointOfThePreviousFormatFailsSayingSo()
    {
        // The checkpoint starts with its magic string (length-prefixed) followed by the format number (an int).
        var magic = new byte[] { 14 }.Concat(Encoding.ASCII.GetBytes("MLATTN-WEIGHTS")).ToArray();
        var older = PatchAfter(SavedPooling(), magic, BitConverter.GetBytes(PreviousCheckpointFormat));

        var error = LoadFails(older);
        Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
        StringAssert.Contains(error.Message, "module checkpoint");
        StringAssert.Contains(error.Message, "saved by an older version of Microsoft.ML.Attention (format 1;");
    }
}
