using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Stores a TorchSharp module inside an ML.NET model: the architecture options needed to rebuild it,
/// then every tensor of its state dictionary, by name. Loading rebuilds the module from the options and
/// copies the tensors in, checking names and shapes, so a model never loads half-filled.
/// </summary>
internal static class ModuleCheckpoint
{
    // Version history:
    //   1: initial format (architecture block written field by field by each component).
    //   2: the architecture block is a JSON document of named fields (see ModelFormat).
    private const int FormatVersion = 2;
    private const string Part = "module checkpoint";
    private const string Magic = "MLATTN-WEIGHTS";

    /// <summary>Writes the module as a binary stream of the model zip named <paramref name="streamName"/>.</summary>
    public static void Save(ModelSaveContext ctx, string streamName, nn.Module module, Action<BinaryWriter> writeArchitecture)
        => ctx.SaveBinaryStream(streamName, writer => Write(writer, module, writeArchitecture));

    /// <summary>Writes the module with its architecture record as a JSON document of named fields (see <see cref="ModelFormat"/>).</summary>
    public static void Save<TArchitecture>(ModelSaveContext ctx, string streamName, nn.Module module, TArchitecture architecture)
        => Save(ctx, streamName, module, writer => ModelFormat.WriteConfig(writer, architecture));

    /// <summary>
    /// Reads a module saved with its architecture record: the record is read (a bad one fails naming
    /// <paramref name="part"/>) and checked against the checkpoint's tensor shapes, then <paramref name="build"/> rebuilds
    /// the module from it and the weights are copied in.
    /// </summary>
    public static (TArchitecture Architecture, TModule Module) Load<TArchitecture, TModule>(ModelLoadContext ctx, string streamName,
        string part, Func<TArchitecture, TModule> build) where TModule : nn.Module where TArchitecture : ICheckpointArchitecture
    {
        TArchitecture? architecture = default;
        var module = Load(ctx, streamName, (reader, shapes) =>
        {
            architecture = ModelFormat.ReadConfig<TArchitecture>(reader, part);
            shapes.Check(architecture, part);
            return build(architecture);
        });
        return (architecture!, module);
    }

    /// <summary>
    /// Reads a module written by <see cref="Save"/>; <paramref name="build"/> reads the architecture and, having checked
    /// it against the shapes of the tensors the checkpoint holds, builds the module.
    /// </summary>
    public static TModule Load<TModule>(ModelLoadContext ctx, string streamName, Func<BinaryReader, CheckpointShapes, TModule> build)
        where TModule : nn.Module
    {
        TModule? module = null;
        var entry = EntryName(ctx, streamName);
        if (!ctx.TryLoadBinaryStream(streamName, reader => module = Read(reader, build, entry)))
            throw ModelFormat.Error($"weights entry '{entry}'",
                $"the {ModelFileName.Describe(ctx)} has no such entry: it was not saved by this library or is damaged.");
        return module!;
    }

    // The zip entry a binary stream of this model component is stored under, as ML.NET names it.
    private static string EntryName(ModelLoadContext ctx, string streamName)
        => string.IsNullOrEmpty(ctx.Directory) ? streamName : ctx.Directory.Replace('\\', '/') + "/" + streamName;

    /// <summary>Writes the architecture and the state dictionary of <paramref name="module"/>.</summary>
    public static void Write(BinaryWriter writer, nn.Module module, Action<BinaryWriter> writeArchitecture)
    {
        // *** Binary format ***
        // string: magic "MLATTN-WEIGHTS"
        // int: format version
        // int: byte count of the architecture block, then the block (written by the module's owner)
        // int: tensor count
        // for each tensor, in state-dictionary order:
        //   string: name (the module's field path, e.g. "scorer.context_vector")
        //   int: rank; long[rank]: shape
        //   float[element count]: values, row-major, little-endian
        writer.Write(Magic);
        writer.Write(FormatVersion);

        using (var block = new MemoryStream())
        {
            using (var blockWriter = new BinaryWriter(block, System.Text.Encoding.UTF8, leaveOpen: true))
                writeArchitecture(blockWriter);
            writer.Write(checked((int)block.Length));
            writer.Write(block.GetBuffer(), 0, (int)block.Length);
        }

        var state = module.state_dict();
        writer.Write(state.Count);
        foreach (var (name, tensor) in state)
        {
            writer.Write(name);
            writer.Write(tensor.shape.Length);
            foreach (var dim in tensor.shape)
                writer.Write(dim);
            using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            foreach (var value in values.data<float>())
                writer.Write(value);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote, building the module with <paramref name="build"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not such a checkpoint, is damaged or truncated, or does not fit the module.</exception>
    public static TModule Read<TModule>(BinaryReader reader, Func<BinaryReader, TModule> build) where TModule : nn.Module
        => Read(reader, (block, _) => build(block), "module checkpoint");

    /// <summary>Reads what <see cref="Write"/> wrote; <paramref name="entry"/> names the stream in errors.</summary>
    public static TModule Read<TModule>(BinaryReader reader, Func<BinaryReader, CheckpointShapes, TModule> build, string entry)
        where TModule : nn.Module
    {
        try
        {
            // A stream without a length (none that ML.NET hands out) is copied, so that every size can be checked against it.
            if (!reader.BaseStream.CanSeek)
            {
                var copy = new MemoryStream();
                reader.BaseStream.CopyTo(copy);
                copy.Position = 0;
                reader = new BinaryReader(copy);
            }
            return ReadUnchecked(reader, build, entry);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            // A damaged model is a data error like the others here, not an I/O failure of the caller's stream (a
            // FormatException is BinaryReader's answer to a string length that is not one).
            throw new InvalidDataException(ModelFormat.Error(PartOf(entry), "it is truncated or damaged.").Message, e);
        }
    }

    private static string PartOf(string entry) => entry == "module checkpoint" ? Part : $"{Part} '{entry}'";

    private static TModule ReadUnchecked<TModule>(BinaryReader reader, Func<BinaryReader, CheckpointShapes, TModule> build, string entry)
        where TModule : nn.Module
    {
        var part = PartOf(entry);
        if (reader.ReadString() != Magic)
            throw ModelFormat.Error(part, "Not a TorchSharp module checkpoint of Microsoft.ML.Attention.");
        var version = reader.ReadInt32();
        if (version < FormatVersion)
            throw ModelFormat.Error(part, $"it was saved by an older version of Microsoft.ML.Attention (format {version}; this version reads format {FormatVersion}). Train and save the model again with this version.");
        if (version != FormatVersion)
            throw ModelFormat.Error(part, $"format {version} is newer than this version of Microsoft.ML.Attention reads (format {FormatVersion}).");

        var blockLength = reader.ReadInt32();
        ModelFormat.CheckLength(reader, blockLength, "the architecture block", part);
        var block = reader.ReadBytes(blockLength);
        var stored = StoredTensors.Scan(reader, part);
        TModule module;
        using (var blockReader = new BinaryReader(new MemoryStream(block)))
            // Initializing a module draws from libtorch's default generator, which a fit running beside may be lent.
            module = Core.FitGenerator.Draw(() => build(blockReader, stored.Shapes));
        try
        {
            stored.CopyInto(reader, module.state_dict(), part);
        }
        catch
        {
            module.Dispose();
            throw;
        }
        return module;
    }
}
