using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>Writes safetensors files for the tests, independently of the library's reader: 8-byte header length, JSON header, raw data.</summary>
internal static class SafetensorsWriter
{
    /// <param name="half">Store the values as F16 instead of F32.</param>
    public static void Write(string path, IEnumerable<(string Name, long[] Shape, float[] Values)> tensors, bool half = false)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        using var data = new MemoryStream();
        foreach (var (name, shape, values) in tensors)
        {
            long begin = data.Length;
            foreach (var value in values)
            {
                var bytes = new byte[half ? 2 : 4];
                if (half)
                    BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)value);
                else
                    BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                data.Write(bytes);
            }
            header[name] = new Dictionary<string, object> { ["dtype"] = half ? "F16" : "F32", ["shape"] = shape, ["data_offsets"] = new[] { begin, data.Length } };
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var file = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        file.Write(length);
        file.Write(json);
        data.Position = 0;
        data.CopyTo(file);
    }
}
