using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Saved models that were damaged or written by a newer version are refused at Model.Load with the exception that
/// docs/persistence-and-deployment.md names, and never load half-filled.
/// </summary>
[TestClass]
public sealed class ModelLoadFailureTests
{
    private static readonly byte[] WeightsMagic = ModelZip.WeightsMagic;

    internal static byte[] SavedPoolingModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(100, 2, seed: 1));
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionPooling(PoolingBehaviourTests.Fast())).Fit(data);
        return ModelZip.Save(ml, model, data);
    }

    private static byte[] Edit(byte[] zip, byte[] marker, Func<byte[], int, byte[]> edit) => ModelZip.Edit(zip, marker, edit);

    private static Exception Load(byte[] zip) => ModelZip.Load(zip);

    [TestMethod]
    public void TheUntouchedModelLoads()
    {
        Assert.IsNotNull(new MLContext(seed: 2).Model.Load(new MemoryStream(SavedPoolingModel()), out _));
    }

    [TestMethod]
    public void ATruncatedWeightsEntryIsReportedAsInvalidData()
    {
        var damaged = Edit(SavedPoolingModel(), WeightsMagic, (bytes, _) => bytes.Take(bytes.Length - 7).ToArray());
        var error = Load(damaged);
        Assert.IsInstanceOfType<InvalidDataException>(Reason(error), Chain(error));
    }

    [TestMethod]
    public void AWeightsFormatFromANewerVersionIsRefusedWithItsNumber()
    {
        // The format version is the int right after the magic (a length-prefixed string).
        int newerFormat = 0;
        var newer = Edit(SavedPoolingModel(), WeightsMagic, (bytes, at) =>
        {
            var copy = (byte[])bytes.Clone();
            newerFormat = BitConverter.ToInt32(copy, at + WeightsMagic.Length) + 1;
            BitConverter.TryWriteBytes(copy.AsSpan(at + WeightsMagic.Length, 4), newerFormat);
            return copy;
        });
        var error = Reason(Load(newer));
        Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
        StringAssert.Contains(error.Message, $"format {newerFormat} is newer");
    }

    [TestMethod]
    public void AModelWrittenByANewerLibraryVersionIsRefused()
    {
        // ML.NET's model header: the model signature (8 ASCII bytes), then the version written and the oldest version
        // that can read it (uint each). A newer library writing a version this one cannot read:
        var signature = Encoding.ASCII.GetBytes("ATTNPOOL");
        var newer = Edit(SavedPoolingModel(), signature, (bytes, at) =>
        {
            var copy = (byte[])bytes.Clone();
            uint written = BitConverter.ToUInt32(copy, at + 8);
            Assert.AreEqual(written, BitConverter.ToUInt32(copy, at + 12), "version readable equals version written");
            BitConverter.TryWriteBytes(copy.AsSpan(at + 8, 4), written + 1);
            BitConverter.TryWriteBytes(copy.AsSpan(at + 12, 4), written + 1);
            return copy;
        });
        var loadError = Load(newer);
        var error = Reason(loadError);
        Assert.IsInstanceOfType<FormatException>(error, Chain(loadError));
        StringAssert.Contains(error.Message, "too new");
    }

    // A model of the previous format is made from a current one by writing the previous version numbers over the
    // current ones: the rest of the file stays valid, so only the version check can refuse it.
    private static byte[] WriteAfter(byte[] bytes, int at, byte[] replacement)
    {
        var copy = (byte[])bytes.Clone();
        replacement.CopyTo(copy, at);
        return copy;
    }

    [TestMethod]
    public void AModelStreamOfThePreviousVersionFailsSayingSo()
    {
        // The model header stores the 8-character model signature followed by the version written and the
        // version readable (two little-endian uints).
        var signature = Encoding.ASCII.GetBytes("ATTNPOOL");
        var versions = BitConverter.GetBytes(0x00010001U).Concat(BitConverter.GetBytes(0x00010001U)).ToArray();
        var older = Edit(SavedPoolingModel(), signature, (bytes, at) => WriteAfter(bytes, at + signature.Length, versions));

        var error = Reason(Load(older));
        Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
        StringAssert.Contains(error.Message, "attention pooling");
        StringAssert.Contains(error.Message, "saved by an older version of Microsoft.ML.Attention");
        StringAssert.Contains(error.Message, "0x00010001");
    }

    [TestMethod]
    public void AModuleCheckpointOfThePreviousFormatFailsSayingSo()
    {
        // The checkpoint starts with its magic string (length-prefixed) followed by the format number (an int).
        var older = Edit(SavedPoolingModel(), WeightsMagic, (bytes, at) => WriteAfter(bytes, at + WeightsMagic.Length, BitConverter.GetBytes(1)));

        var error = Reason(Load(older));
        Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
        StringAssert.Contains(error.Message, "module checkpoint");
        StringAssert.Contains(error.Message, "saved by an older version of Microsoft.ML.Attention (format 1;");
    }

    private static string Chain(Exception error) => ModelZip.Chain(error);

    private static Exception Reason(Exception error) => ModelZip.Reason(error);
}
