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
    /// <paramref name="part"/>), <paramref name="build"/> rebuilds the module from it, then the weights are copied in.
    /// </summary>
    public static (TArchitecture Architecture, TModule Module) Load<TArchitecture, TModule>(ModelLoadContext ctx, string streamName,
        string part, Func<TArchitecture, TModule> build) where TModule : nn.Module
    {
        TArchitecture? architecture = default;
        var module = Load(ctx, streamName, reader =>
        {
            architecture = ModelFormat.ReadConfig<TArchitecture>(reader, part);
            return build(architecture);
        });
        return (architecture!, module);
    }

    /// <summary>Reads a module written by <see cref="Save"/>; <paramref name="build"/> reads the architecture and builds the module.</summary>
    public static TModule Load<TModule>(ModelLoadContext ctx, string streamName, Func<BinaryReader, TModule> build)
        where TModule : nn.Module
    {
        TModule? module = null;
        if (!ctx.TryLoadBinaryStream(streamName, reader => module = Read(reader, build)))
            throw ModelFormat.Error($"weights entry '{EntryName(ctx, streamName)}'",
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
    {
        try
        {
            return ReadUnchecked(reader, build);
        }
        catch (EndOfStreamException e)
        {
            // A damaged model is a data error like the others here, not an I/O failure of the caller's stream.
            throw new InvalidDataException("The module checkpoint is truncated or damaged.", e);
        }
    }

    private static TModule ReadUnchecked<TModule>(BinaryReader reader, Func<BinaryReader, TModule> build) where TModule : nn.Module
    {
        if (reader.ReadString() != Magic)
            throw ModelFormat.Error(Part, "Not a TorchSharp module checkpoint of Microsoft.ML.Attention.");
        var version = reader.ReadInt32();
        if (version < FormatVersion)
            throw ModelFormat.Error(Part, $"it was saved by an older version of Microsoft.ML.Attention (format {version}; this version reads format {FormatVersion}). Train and save the model again with this version.");
        if (version != FormatVersion)
            throw ModelFormat.Error(Part, $"format {version} is newer than this version of Microsoft.ML.Attention reads (format {FormatVersion}).");

        var blockLength = reader.ReadInt32();
        var block = reader.ReadBytes(blockLength);
        if (block.Length != blockLength)
            throw ModelFormat.Error(Part, "it is truncated.");
        TModule module;
        using (var blockReader = new BinaryReader(new MemoryStream(block)))
            module = build(blockReader);

        var state = module.state_dict();
        var seen = new HashSet<string>();
        var count = reader.ReadInt32();
        using (torch.no_grad())
        {
            for (int i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var shape = new long[reader.ReadInt32()];
                for (int d = 0; d < shape.Length; d++)
                    shape[d] = reader.ReadInt64();
                if (!state.TryGetValue(name, out var target))
                    throw ModelFormat.Error(Part, $"it holds tensor '{name}', which the rebuilt module does not have.");
                if (!target.shape.SequenceEqual(shape))
                    throw ModelFormat.Error(Part,
                        $"tensor '{name}' has shape [{string.Join(", ", shape)}] in the checkpoint but [{string.Join(", ", target.shape)}] in the rebuilt module.");
                var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
                for (long v = 0; v < values.LongLength; v++)
                    values[v] = reader.ReadSingle();
                using var loaded = torch.tensor(values, shape);
                target.copy_(loaded);
                seen.Add(name);
            }
        }
        var missing = state.Keys.Where(k => !seen.Contains(k)).ToList();
        if (missing.Count > 0)
            throw ModelFormat.Error(Part, $"it lacks tensors {string.Join(", ", missing)} of the rebuilt module.");
        return module;
    }
}
