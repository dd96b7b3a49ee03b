using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Reads a safetensors file: an unsigned 64-bit little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data. F32, F16 and BF16 tensors are read (widened to float32).
/// </summary>
internal static class SafetensorsReader
{
    // A header beyond this is not a checkpoint header but a wrong or damaged file.
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    // Only the header is read here; each tensor's bytes are read when it is copied into the model (WeightTensor.CopyInto).
    public static IReadOnlyList<WeightTensor> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw CheckpointErrors.Invalid(path, $"a safetensors file starts with an 8-byte header length; the file has {fileLength} bytes.");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
            throw CheckpointErrors.Invalid(path, $"the header length {headerLength} does not fit the file's {fileLength} bytes: truncated or not a safetensors file.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
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
            long dataStart = 8 + headerLength;
            var tensors = new List<WeightTensor>();
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                    continue;
                tensors.Add(ReadTensor(path, entry, dataStart, fileLength - dataStart));
            }
            return tensors;
        }
    }

    private static WeightTensor ReadTensor(string path, JsonProperty entry, long dataStart, long dataLength)
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
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != count * WeightTensor.Width(encoding))
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' ({dtype} [{string.Join(", ", shape)}]) claims bytes [{string.Join(", ", offsets)}] "
                    + $"of a {dataLength}-byte data section: truncated or damaged file.");
            return WeightTensor.InFile(name, shape, path, dataStart + offsets[0], encoding);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw CheckpointErrors.Invalid(path, $"tensor '{name}' lacks a valid dtype, shape or data_offsets entry ({e.Message}).");
        }
    }
}
