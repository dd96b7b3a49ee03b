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

    public static IReadOnlyList<WeightTensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
            throw CheckpointErrors.Invalid(path, $"a safetensors file starts with an 8-byte header length; the file has {bytes.Length} bytes.");
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
            throw CheckpointErrors.Invalid(path, $"the header length {headerLength} does not fit the file's {bytes.Length} bytes: truncated or not a safetensors file.");
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw CheckpointErrors.Invalid(path, $"the safetensors header is not valid JSON ({e.Message}).");
        }
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
                throw CheckpointErrors.Invalid(path, "the safetensors header must be a JSON object of tensors.");
            var data = bytes.AsMemory(checked((int)(8 + headerLength)));
            var tensors = new List<WeightTensor>();
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                    continue;
                tensors.Add(ReadTensor(path, entry, data.Span));
            }
            return tensors;
        }
    }

    private static WeightTensor ReadTensor(string path, JsonProperty entry, ReadOnlySpan<byte> data)
    {
        string name = entry.Name;
        try
        {
            var dtype = entry.Value.GetProperty("dtype").GetString();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            int width = dtype switch
            {
                "F32" => 4,
                "F16" or "BF16" => 2,
                _ => throw CheckpointErrors.Invalid(path, $"tensor '{name}' has dtype {dtype}; F32, F16 or BF16 was expected."),
            };
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != count * width)
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' ({dtype} [{string.Join(", ", shape)}]) claims bytes [{string.Join(", ", offsets)}] "
                    + $"of a {data.Length}-byte data section: truncated or damaged file.");
            var raw = data.Slice((int)offsets[0], (int)(offsets[1] - offsets[0]));
            var values = new float[count];
            if (dtype == "F32")
            {
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4));
            }
            else
            {
                bool half = dtype == "F16";
                for (int i = 0; i < values.Length; i++)
                {
                    var bits = BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2));
                    values[i] = half ? HalfPrecision.FromHalf(bits) : HalfPrecision.FromBFloat16(bits);
                }
            }
            return new WeightTensor(name, shape, values);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw CheckpointErrors.Invalid(path, $"tensor '{name}' lacks a valid dtype, shape or data_offsets entry ({e.Message}).");
        }
    }
}
