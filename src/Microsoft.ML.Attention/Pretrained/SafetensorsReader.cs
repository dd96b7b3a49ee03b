using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Unicode;
using System.Text.Json;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Reads a safetensors file: an unsigned 64-bit little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data. F32, F16 and BF16 tensors are read (widened to float32).
/// </summary>
internal static class SafetensorsReader
{
    // A header beyond this is not a checkpoint header but a wrong or damaged file.
    private const ulong MaxHeaderBytes = 100UL * 1024 * 1024;

    // Only the header is read here; each tensor's bytes are read when it is copied into the model (WeightTensor.CopyInto).
    // Checked as the reference implementation checks: the header within the file, UTF-8 JSON, and tensors whose
    // byte ranges, in order, tile the data section exactly, each as long as its shape times its element width.
    public static IReadOnlyList<WeightTensor> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw CheckpointErrors.Invalid(path, $"a safetensors file starts with an 8-byte header length; the file has {fileLength} bytes.");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
            throw CheckpointErrors.Invalid(path, $"the header length {headerLength} does not fit the file's {fileLength} bytes (at most {MaxHeaderBytes}): truncated or not a safetensors file.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        if (!Utf8.IsValid(headerBytes))
            throw CheckpointErrors.Invalid(path, "the safetensors header is not valid UTF-8.");
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw CheckpointErrors.Invalid(path, $"the safetensors header is not valid JSON ({e.Message}).");
        }
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
                throw CheckpointErrors.Invalid(path, "the safetensors header must be a JSON object of tensors.");
            long dataStart = 8 + (long)headerLength;
            var tensors = new List<(WeightTensor Tensor, long Begin, long End)>();
            var names = new HashSet<string>();
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (!names.Add(entry.Name))
                    throw CheckpointErrors.Invalid(path, $"tensor '{entry.Name}' appears twice in the header.");
                if (entry.Name == "__metadata__")
                    continue;
                tensors.Add(ReadTensor(path, entry, dataStart));
            }
            CheckTiling(path, tensors, fileLength - dataStart);
            return tensors.Select(t => t.Tensor).ToList();
        }
    }

    // The byte ranges, in order, must start at 0, follow one another without gap or overlap, and end with the file.
    private static void CheckTiling(string path, List<(WeightTensor Tensor, long Begin, long End)> tensors, long dataLength)
    {
        long expected = 0;
        foreach (var (tensor, begin, end) in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (begin != expected)
                throw CheckpointErrors.Invalid(path, $"tensor '{tensor.Name}' starts at byte {begin} of the data section where {expected} was expected: "
                    + "the tensors' byte ranges overlap or leave a gap.");
            expected = end;
        }
        if (expected != dataLength)
            throw CheckpointErrors.Invalid(path, $"the tensors end at byte {expected} of a {dataLength}-byte data section: truncated or damaged file.");
    }

    private static (WeightTensor Tensor, long Begin, long End) ReadTensor(string path, JsonProperty entry, long dataStart)
    {
        string name = entry.Name;
        try
        {
            var dtype = entry.Value.GetProperty("dtype").GetString();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var encoding = dtype switch
            {
                "F32" => WeightEncoding.Float32,
                "F16" => WeightEncoding.Float16,
                "BF16" => WeightEncoding.BFloat16,
                _ => throw CheckpointErrors.Invalid(path, $"tensor '{name}' has dtype {dtype}; F32, F16 or BF16 was expected."),
            };
            var description = $"tensor '{name}' ({dtype} [{string.Join(", ", shape)}]) with data_offsets [{string.Join(", ", offsets)}]";
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw CheckpointErrors.Invalid(path, $"{description}: dimensions and offsets must be non-negative, the offsets a [begin, end] pair.");
            long bytes;
            try
            {
                bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * WeightTensor.Width(encoding));
            }
            catch (OverflowException)
            {
                throw CheckpointErrors.Invalid(path, $"{description}: its element count times the element width overflows.");
            }
            if (offsets[1] - offsets[0] != bytes)
                throw CheckpointErrors.Invalid(path, $"{description}: its shape needs {bytes} bytes, the offsets give {offsets[1] - offsets[0]}.");
            return (WeightTensor.InFile(name, shape, path, dataStart + offsets[0], encoding), offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw CheckpointErrors.Invalid(path, $"tensor '{name}' lacks a valid dtype, shape or data_offsets entry ({e.Message}).");
        }
    }
}
