using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>How a checkpoint stores a tensor's elements (little-endian), all widened to float32 when read.</summary>
internal enum WeightEncoding
{
    Float32,
    Float16,
    BFloat16,
}

/// <summary>
/// One tensor of a checkpoint file: its name there, its shape (row-major) and where its values are. Large tensors stay
/// in the file until <see cref="CopyInto"/> reads them straight into the model's tensor, a slice at a time.
/// </summary>
/// <remarks>
/// Why not decode every tensor into a float array when the file is read: that held the file's bytes, every value and
/// every transposed matrix in managed memory at once (about two and a half times the model's size), and the garbage
/// collector kept most of it committed after loading, so a scoring process stayed that much larger.
/// </remarks>
internal sealed class WeightTensor
{
    // Elements read and widened per slice: 4 MiB of float32 at a time bounds the managed buffers whatever the tensor.
    private const int SliceElements = 1 << 20;

    private readonly float[]? _values;
    private readonly string? _file;
    private readonly long _offset;
    private readonly WeightEncoding _encoding;
    // The values are stored as the transpose of Shape (a [rows, columns] matrix read as [columns, rows]).
    private readonly bool _transposed;

    private WeightTensor(string name, long[] shape, float[]? values, string? file, long offset, WeightEncoding encoding, bool transposed)
    {
        Name = name;
        Shape = shape;
        _values = values;
        _file = file;
        _offset = offset;
        _encoding = encoding;
        _transposed = transposed;
    }

    /// <summary>A tensor of <paramref name="file"/> whose float32 values are already in memory (small tensors, values written as numbers).</summary>
    public static WeightTensor InMemory(string name, long[] shape, float[] values, string file) => new(name, shape, values, file, 0, WeightEncoding.Float32, false);

    /// <summary>A tensor whose elements are <paramref name="file"/>'s bytes from <paramref name="offset"/> on, in <paramref name="encoding"/>.</summary>
    public static WeightTensor InFile(string name, long[] shape, string file, long offset, WeightEncoding encoding) => new(name, shape, null, file, offset, encoding, false);

    public string Name { get; }

    public long[] Shape { get; }

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public static int Width(WeightEncoding encoding) => encoding == WeightEncoding.Float32 ? 4 : 2;

    /// <summary>The matrix [rows, columns] transposed to [columns, rows] (ONNX MatMul weights are [in, out], torch Linear's [out, in]); nothing is read.</summary>
    public WeightTensor Transposed(string name)
    {
        if (Shape.Length != 2)
            throw new InvalidOperationException($"Only a matrix can be transposed; '{Name}' has shape {ShapeText}.");
        return new WeightTensor(name, new[] { Shape[1], Shape[0] }, _values, _file, _offset, _encoding, !_transposed);
    }

    /// <summary>Writes the values into <paramref name="target"/>, which has this tensor's shape (gradients off).</summary>
    public void CopyInto(Tensor target)
    {
        long[] stored = _transposed ? new[] { Shape[1], Shape[0] } : Shape;
        using var source = torch.empty(stored, ScalarType.Float32);
        using (var accessor = source.data<float>())
            Read((slice, start) => accessor.CopyFrom(slice, 0, start), finite: true);
        if (_transposed)
        {
            using var view = source.t();
            target.copy_(view);
        }
        else
            target.copy_(source);
    }

    /// <summary>All values, row-major in <see cref="Shape"/>, as float32.</summary>
    public float[] ReadValues()
    {
        long[] stored = _transposed ? new[] { Shape[1], Shape[0] } : Shape;
        var values = new float[ElementCount];
        Read((slice, start) => slice.CopyTo(values.AsSpan(checked((int)start))), finite: false);
        if (!_transposed)
            return values;
        var result = new float[values.Length];
        long rows = stored[0], columns = stored[1];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }

    private delegate void SliceWriter(ReadOnlySpan<float> slice, long start);

    // The stored elements in order, a slice at a time; weights copied into a model must be finite (graph constants
    // read with ReadValues may be -inf masks).
    private void Read(SliceWriter write, bool finite)
    {
        if (_values is not null)
        {
            if (finite)
                CheckFinite(_values, 0);
            write(_values, 0);
            return;
        }
        long count = ElementCount;
        int width = Width(_encoding);
        var bytes = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, SliceElements) * width);
        var floats = _encoding == WeightEncoding.Float32 && BitConverter.IsLittleEndian ? null : ArrayPool<float>.Shared.Rent((int)Math.Min(count, SliceElements));
        try
        {
            using var stream = new FileStream(_file!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.Length < _offset + count * width)
                throw CheckpointErrors.Invalid(_file!, $"tensor '{Name}' {ShapeText} ends at byte {_offset + count * width}, past the end of the {stream.Length}-byte file: it changed or was cut short since it was read.");
            stream.Position = _offset;
            for (long start = 0; start < count; start += SliceElements)
            {
                int n = (int)Math.Min(SliceElements, count - start);
                var raw = bytes.AsSpan(0, n * width);
                stream.ReadExactly(raw);
                var slice = floats is null ? MemoryMarshal.Cast<byte, float>(raw) : Widen(raw, floats.AsSpan(0, n), _encoding);
                if (finite)
                    CheckFinite(slice, start);
                write(slice, start);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (floats is not null)
                ArrayPool<float>.Shared.Return(floats);
        }
    }

    // NaN or infinity in a weight would load and then score NaN without a word; checked on the slice already read.
    private void CheckFinite(ReadOnlySpan<float> slice, long start)
    {
        if (FiniteWeights.Problem(slice, Name, start) is { } problem)
            throw CheckpointErrors.Invalid(_file ?? "the model", problem);
    }

    /// <summary>Little-endian elements in <paramref name="encoding"/> widened to float32; returns <paramref name="floats"/>.</summary>
    public static Span<float> Widen(ReadOnlySpan<byte> raw, Span<float> floats, WeightEncoding encoding)
    {
        for (int i = 0; i < floats.Length; i++)
            floats[i] = encoding switch
            {
                WeightEncoding.Float32 => BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4)),
                WeightEncoding.Float16 => HalfPrecision.FromHalf(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2))),
                _ => HalfPrecision.FromBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2))),
            };
        return floats;
    }
}
