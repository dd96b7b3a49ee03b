using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>One node of an ONNX graph: its operator, input and output value names, and the value of a scalar Constant.</summary>
internal sealed record OnnxNode(string OperatorType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, float? ConstantValue);

/// <summary>
/// What the library reads from an ONNX model: its float initializers (the weights) and its nodes (to name the weights
/// that the exporter left with bare numbers). The graph is never run. Field numbers are those of onnx.proto:
/// ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto.input = 1, output = 2, op_type = 4,
/// attribute = 5; AttributeProto.name = 1, t = 5; TensorProto.dims = 1, data_type = 2, float_data = 4,
/// int32_data = 5, name = 8, raw_data = 9, data_location = 14.
/// </summary>
internal sealed class OnnxGraph
{
    private const int FloatType = 1, Float16Type = 10, BFloat16Type = 16;

    public IReadOnlyList<WeightTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    private OnnxGraph(IReadOnlyList<WeightTensor> initializers, IReadOnlyList<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
    }

    public static OnnxGraph Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var model = new ProtobufReader(bytes, path);
        ReadOnlySpan<byte> graph = default;
        bool found = false;
        while (!model.AtEnd)
        {
            var (field, wire) = model.ReadTag();
            if (field == 7 && wire == 2)
            {
                graph = model.ReadLengthDelimited();
                found = true;
            }
            else
                model.Skip(wire);
        }
        if (!found)
            throw CheckpointErrors.Invalid(path, "the ONNX model has no graph (not an ONNX model file?).");

        var initializers = new List<WeightTensor>();
        var nodes = new List<OnnxNode>();
        var reader = new ProtobufReader(graph, path);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
                nodes.Add(ReadNode(reader.ReadLengthDelimited(), path));
            else if (field == 5 && wire == 2)
            {
                var tensor = ReadTensor(reader.ReadLengthDelimited(), path);
                if (tensor is not null)
                    initializers.Add(tensor);
            }
            else
                reader.Skip(wire);
        }
        return new OnnxGraph(initializers, nodes);
    }

    private static OnnxNode ReadNode(ReadOnlySpan<byte> message, string path)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string op = "";
        float? constant = null;
        var reader = new ProtobufReader(message, path);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
                inputs.Add(Encoding.UTF8.GetString(reader.ReadLengthDelimited()));
            else if (field == 2 && wire == 2)
                outputs.Add(Encoding.UTF8.GetString(reader.ReadLengthDelimited()));
            else if (field == 4 && wire == 2)
                op = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
            else if (field == 5 && wire == 2)
                constant = ReadConstantAttribute(reader.ReadLengthDelimited(), path) ?? constant;
            else
                reader.Skip(wire);
        }
        return new OnnxNode(op, inputs, outputs, op == "Constant" ? constant : null);
    }

    // The scalar float of a Constant node's "value" attribute, or null.
    private static float? ReadConstantAttribute(ReadOnlySpan<byte> message, string path)
    {
        var reader = new ProtobufReader(message, path);
        float? value = null;
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 5 && wire == 2)
            {
                var tensor = ReadTensor(reader.ReadLengthDelimited(), path);
                if (tensor is { Values.Length: 1 })
                    value = tensor.Values[0];
            }
            else
                reader.Skip(wire);
        }
        return value;
    }

    // A float tensor (float32, float16 or bfloat16, widened to float32); null for other element types.
    private static WeightTensor? ReadTensor(ReadOnlySpan<byte> message, string path)
    {
        var dims = new List<long>();
        int dataType = 0, location = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        var floats = new List<float>();
        var int32s = new List<int>();
        var reader = new ProtobufReader(message, path);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, 0): dims.Add((long)reader.ReadVarint()); break;
                case (1, 2):
                    var packedDims = new ProtobufReader(reader.ReadLengthDelimited(), path);
                    while (!packedDims.AtEnd)
                        dims.Add((long)packedDims.ReadVarint());
                    break;
                case (2, 0): dataType = (int)reader.ReadVarint(); break;
                case (4, 5): floats.Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32())); break;
                case (4, 2):
                    var packedFloats = reader.ReadLengthDelimited();
                    for (int i = 0; i + 4 <= packedFloats.Length; i += 4)
                        floats.Add(BinaryPrimitives.ReadSingleLittleEndian(packedFloats.Slice(i)));
                    break;
                case (5, 0): int32s.Add((int)reader.ReadVarint()); break;
                case (5, 2):
                    var packedInts = new ProtobufReader(reader.ReadLengthDelimited(), path);
                    while (!packedInts.AtEnd)
                        int32s.Add((int)packedInts.ReadVarint());
                    break;
                case (8, 2): name = Encoding.UTF8.GetString(reader.ReadLengthDelimited()); break;
                case (9, 2): raw = reader.ReadLengthDelimited(); hasRaw = true; break;
                case (14, 0): location = (int)reader.ReadVarint(); break;
                default: reader.Skip(wire); break;
            }
        }
        if (dataType is not (FloatType or Float16Type or BFloat16Type))
            return null;
        if (location == 1)
            throw CheckpointErrors.Invalid(path, $"tensor '{name}' is stored in an external data file; only weights inside the .onnx file are read.");
        var shape = dims.ToArray();
        long count = 1;
        foreach (var d in shape)
            count *= d;
        int width = dataType == FloatType ? 4 : 2;
        var values = new float[count];
        if (hasRaw)
        {
            if (raw.Length != count * width)
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' [{string.Join(", ", shape)}] has {raw.Length} bytes of data; {count * width} were expected.");
            for (int i = 0; i < values.Length; i++)
                values[i] = dataType switch
                {
                    FloatType => BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4)),
                    Float16Type => HalfPrecision.FromHalf(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2))),
                    _ => HalfPrecision.FromBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2))),
                };
        }
        else if (dataType == FloatType)
        {
            if (floats.Count != count)
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' [{string.Join(", ", shape)}] has {floats.Count} values; {count} were expected.");
            floats.CopyTo(values);
        }
        else
        {
            // 16-bit values without raw_data sit in int32_data, one element's bits each.
            if (int32s.Count != count)
                throw CheckpointErrors.Invalid(path, $"tensor '{name}' [{string.Join(", ", shape)}] has {int32s.Count} values; {count} were expected.");
            for (int i = 0; i < values.Length; i++)
                values[i] = dataType == Float16Type ? HalfPrecision.FromHalf((ushort)int32s[i]) : HalfPrecision.FromBFloat16((ushort)int32s[i]);
        }
        return new WeightTensor(name, shape, values);
    }
}
