using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The tensors of a module checkpoint (see <see cref="ModuleCheckpoint"/>): first their names and shapes, each size
/// checked against the bytes left in the stream, the values skipped; then, once the module is built, the values read
/// into it. So a size in the file never allocates more than the file holds, and the module is built knowing the shapes.
/// </summary>
internal sealed class StoredTensors
{
    // A weight of these modules has at most 3 dimensions; a larger rank is damage, refused before allocating its shape.
    private const int MaxRank = 8;

    // The smallest tensor record: a one-byte name length and a rank.
    private const int MinRecordBytes = 1 + 4;

    private readonly List<(string Name, long[] Shape, long Offset)> _tensors = new();

    private StoredTensors()
    {
    }

    /// <summary>The names and shapes, for checking an architecture before its module is built.</summary>
    public CheckpointShapes Shapes { get; private set; } = new(new Dictionary<string, long[]>());

    /// <summary>Reads the tensor count and every tensor's name and shape, skipping the values.</summary>
    public static StoredTensors Scan(BinaryReader reader, string part)
    {
        var stored = new StoredTensors();
        var shapes = new Dictionary<string, long[]>();
        var count = reader.ReadInt32();
        ModelFormat.CheckLength(reader, count, "the tensor count", part, MinRecordBytes);
        for (int i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var rank = reader.ReadInt32();
            if (rank < 0 || rank > MaxRank)
                throw ModelFormat.Error(part, $"tensor '{name}' has rank {rank}; 0 to {MaxRank} was expected.");
            ModelFormat.CheckLength(reader, rank, $"tensor '{name}''s shape", part, sizeof(long));
            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
                shape[d] = reader.ReadInt64();
            var bytes = ByteCount(shape, name, part);
            ModelFormat.CheckLength(reader, bytes, $"tensor '{name}' {CheckpointShapes.Text(shape)}", part);
            if (!shapes.TryAdd(name, shape))
                throw ModelFormat.Error(part, $"tensor '{name}' appears twice.");
            stored._tensors.Add((name, shape, reader.BaseStream.Position));
            reader.BaseStream.Seek(bytes, SeekOrigin.Current);
        }
        stored.Shapes = new CheckpointShapes(shapes);
        return stored;
    }

    // Bytes of float32 values a shape needs; a negative dimension or an overflowing product is damage.
    private static long ByteCount(long[] shape, string name, string part)
    {
        long count = 1;
        try
        {
            foreach (var dim in shape)
            {
                if (dim < 0)
                    throw ModelFormat.Error(part, $"tensor '{name}' has a negative dimension in {CheckpointShapes.Text(shape)}.");
                count = checked(count * dim);
            }
            return checked(count * sizeof(float));
        }
        catch (OverflowException)
        {
            throw ModelFormat.Error(part, $"tensor '{name}' {CheckpointShapes.Text(shape)} has more elements than a stream can hold.");
        }
    }

    /// <summary>Copies every tensor into the module's state, by name and shape; all of the module's tensors must be there, finite.</summary>
    public void CopyInto(BinaryReader reader, Dictionary<string, Tensor> state, string part)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, shape, offset) in _tensors)
        {
            if (!state.TryGetValue(name, out var target))
                throw ModelFormat.Error(part, $"it holds tensor '{name}', which the rebuilt module does not have.");
            if (!target.shape.SequenceEqual(shape))
                throw ModelFormat.Error(part,
                    $"tensor '{name}' has shape {CheckpointShapes.Text(shape)} in the checkpoint but {CheckpointShapes.Text(target.shape)} in the rebuilt module.");
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            reader.BaseStream.Position = offset;
            ReadValues(reader, values);
            FiniteWeights.Check(values, name, part);
            using var loaded = torch.tensor(values, shape);
            target.copy_(loaded);
        }
        var missing = state.Keys.Except(_tensors.Select(t => t.Name)).ToList();
        if (missing.Count > 0)
            throw ModelFormat.Error(part, $"it lacks tensors {string.Join(", ", missing)} of the rebuilt module.");
    }

    // Little-endian float32 values, read as bytes in one call where the machine is little-endian.
    private static void ReadValues(BinaryReader reader, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        for (long v = 0; v < values.LongLength; v++)
            values[v] = reader.ReadSingle();
    }
}
