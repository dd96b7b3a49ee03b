using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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

    // The largest TensorProto.DataType onnx.proto defines (FLOAT4E2M1 = 23); a larger number is damage.
    private const int MaxDataType = 23;

    public IReadOnlyList<WeightTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>The node that computes each value, by value name; graph inputs and initializers have none.</summary>
    public IReadOnlyDictionary<string, OnnxNode> ProducedBy { get; }

    private OnnxGraph(IReadOnlyList<WeightTensor> initializers, IReadOnlyList<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
        var producedBy = new Dictionary<string, OnnxNode>();
        foreach (var node in nodes)
            foreach (var output in node.Outputs)
                producedBy[output] = node;
        ProducedBy = producedBy;
    }

    // The file is walked, not loaded: a node is read whole (it is small), a weight's raw bytes are only located, and
    // read when the weight is copied into the model (WeightTensor.CopyInto).
    public static OnnxGraph Read(string path)
    {
        using var file = new ProtobufFile(path);
        var initializers = new List<WeightTensor>();
        var nodes = new List<OnnxNode>();
        bool found = false;
        while (file.Position < file.Length)
        {
            var (field, wire) = file.ReadTag(file.Length);
            if (field == 7 && wire == 2)
            {
                long length = file.ReadLength(file.Length);
                long graphEnd = file.Position + length;
                ReadGraph(file, graphEnd, path, initializers, nodes);
                found = true;
            }
            else
                file.Skip(wire, file.Length);
        }
        if (!found)
            throw CheckpointErrors.Invalid(path, "the ONNX model has no graph (not an ONNX model file?).");
        OnnxWeights.CheckUnique(initializers, path, "initializers");
        return new OnnxGraph(initializers, nodes);
    }

    private static void ReadGraph(ProtobufFile file, long end, string path, List<WeightTensor> initializers, List<OnnxNode> nodes)
    {
        while (file.Position < end)
        {
            var (field, wire) = file.ReadTag(end);
            if (field == 1 && wire == 2)
                nodes.Add(ReadNode(file.ReadBytes(file.ReadLength(end)), path));
            else if (field == 5 && wire == 2)
            {
                var length = file.ReadLength(end);
                var tensor = ReadInitializer(file, file.Position + length, path);
                if (tensor is not null)
                    initializers.Add(tensor);
            }
            else
                file.Skip(wire, end);
        }
    }

    // An initializer (TensorProto) read from the file: everything but raw_data is small and read; raw_data is located.
    private static WeightTensor? ReadInitializer(ProtobufFile file, long end, string path)
    {
        var fields = new TensorFields();
        while (file.Position < end)
        {
            var (field, wire) = file.ReadTag(end);
            if (field == 9 && wire == 2)
            {
                fields.RawLength = file.ReadLength(end);
                fields.RawOffset = file.Position;
                file.SkipBytes(fields.RawLength);
            }
            else if (fields.Reads(field, wire))
            {
                if (wire == 2)
                    fields.Read(field, wire, file.ReadBytes(file.ReadLength(end)), path);
                else if (wire == 5)
                    fields.Read(field, wire, file.ReadFixed(4, end), path);
                else
                    fields.ReadVarint(field, file.ReadVarint(end));
            }
            else
                file.Skip(wire, end);
        }
        return fields.Tensor(path, (count, encoding) => WeightTensor.InFile(fields.Name, fields.Shape, path, fields.RawOffset, encoding));
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
                if (tensor is { ElementCount: 1 })
                    value = tensor.ReadValues()[0];
            }
            else
                reader.Skip(wire);
        }
        return value;
    }

    // A tensor inside a node's attribute, from its message in memory: float32, float16 or bfloat16, widened to float32;
    // null for other element types.
    private static WeightTensor? ReadTensor(ReadOnlySpan<byte> message, string path)
    {
        var fields = new TensorFields();
        byte[]? raw = null;
        var reader = new ProtobufReader(message, path);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 9 && wire == 2)
            {
                raw = reader.ReadLengthDelimited().ToArray();
                fields.RawLength = raw.Length;
            }
            else if (fields.Reads(field, wire))
            {
                if (wire == 2)
                    fields.Read(field, wire, reader.ReadLengthDelimited().ToArray(), path);
                else if (wire == 5)
                    fields.Read(field, wire, BitConverter.GetBytes(reader.ReadFixed32()), path);
                else
                    fields.ReadVarint(field, reader.ReadVarint());
            }
            else
                reader.Skip(wire);
        }
        return fields.Tensor(path, (count, encoding) =>
        {
            var values = new float[count];
            WeightTensor.Widen(raw, values, encoding);
            return WeightTensor.InMemory(fields.Name, fields.Shape, values, path);
        });
    }

    /// <summary>The fields of a TensorProto other than raw_data, and where raw_data was found.</summary>
    private sealed class TensorFields
    {
        private readonly List<long> _dims = new();
        private readonly List<float> _floats = new();
        private readonly List<int> _int32s = new();
        private int _dataType, _location;

        public string Name { get; private set; } = "";

        public long[] Shape => _dims.ToArray();

        public long RawOffset { get; set; }

        public long RawLength { get; set; } = -1;

        /// <summary>Whether the field is one of those read here (dims, data_type, float_data, int32_data, name, data_location).</summary>
        public bool Reads(int field, int wire) => (field, wire) is (1, 0) or (1, 2) or (2, 0) or (4, 5) or (4, 2) or (5, 0) or (5, 2) or (8, 2) or (14, 0);

        public void ReadVarint(int field, ulong value)
        {
            switch (field)
            {
                case 1: _dims.Add((long)value); break;
                case 2: _dataType = value > int.MaxValue ? -1 : (int)value; break;
                case 5: _int32s.Add((int)value); break;
                case 14: _location = (int)value; break;
            }
        }

        public void Read(int field, int wire, byte[] payload, string path)
        {
            switch (field, wire)
            {
                case (4, 5): _floats.Add(BinaryPrimitives.ReadSingleLittleEndian(payload)); break;
                case (4, 2):
                    for (int i = 0; i + 4 <= payload.Length; i += 4)
                        _floats.Add(BinaryPrimitives.ReadSingleLittleEndian(payload.AsSpan(i)));
                    break;
                case (8, 2): Name = Encoding.UTF8.GetString(payload); break;
                case (1, 2) or (5, 2):
                    var packed = new ProtobufReader(payload, path);
                    while (!packed.AtEnd)
                        ReadVarint(field, packed.ReadVarint());
                    break;
            }
        }

        /// <summary>The tensor, its raw bytes (if any) given by <paramref name="fromRaw"/>; null when it is not a float tensor.</summary>
        /// <remarks>
        /// Checked as ONNX's checker does, before anything is allocated: a known data type, dimensions that are not
        /// negative and whose product does not overflow, one value field, holding as many values as the shape.
        /// </remarks>
        public WeightTensor? Tensor(string path, Func<long, WeightEncoding, WeightTensor> fromRaw)
        {
            var shape = Shape;
            var description = $"tensor '{Name}' [{string.Join(", ", shape)}]";
            if (_dataType is <= 0 or > MaxDataType)
                throw CheckpointErrors.Invalid(path, $"{description} has data type {_dataType}, which ONNX does not define (1 to {MaxDataType}).");
            if (shape.Any(d => d < 0))
                throw CheckpointErrors.Invalid(path, $"{description} has a negative dimension.");
            int valueFields = (RawLength >= 0 ? 1 : 0) + (_floats.Count > 0 ? 1 : 0) + (_int32s.Count > 0 ? 1 : 0);
            if (valueFields > 1)
                throw CheckpointErrors.Invalid(path, $"{description} has its values in {valueFields} fields (raw_data, float_data, int32_data); ONNX allows one.");
            if (_dataType is not (FloatType or Float16Type or BFloat16Type))
                return null;
            if (_location == 1)
                throw CheckpointErrors.Invalid(path, $"tensor '{Name}' is stored in an external data file; only weights inside the .onnx file are read.");
            var encoding = _dataType == FloatType ? WeightEncoding.Float32 : _dataType == Float16Type ? WeightEncoding.Float16 : WeightEncoding.BFloat16;
            int width = WeightTensor.Width(encoding);
            long count;
            try
            {
                count = shape.Aggregate(1L, (a, b) => checked(a * b));
                checked { _ = count * width; }
            }
            catch (OverflowException)
            {
                throw CheckpointErrors.Invalid(path, $"{description} has more elements than a file can hold.");
            }
            if (RawLength >= 0)
            {
                if (RawLength != count * width)
                    throw CheckpointErrors.Invalid(path, $"{description} has {RawLength} bytes of data; {count * width} were expected.");
                return fromRaw(count, encoding);
            }
            long present = encoding == WeightEncoding.Float32 ? _floats.Count : _int32s.Count;
            if (present != count)
                throw CheckpointErrors.Invalid(path, $"{description} has {present} values; {count} were expected.");
            var values = new float[count];
            if (encoding == WeightEncoding.Float32)
                _floats.CopyTo(values);
            else
            {
                // 16-bit values without raw_data sit in int32_data, one element's bits each.
                for (int i = 0; i < values.Length; i++)
                    values[i] = encoding == WeightEncoding.Float16 ? HalfPrecision.FromHalf((ushort)_int32s[i]) : HalfPrecision.FromBFloat16((ushort)_int32s[i]);
            }
            return WeightTensor.InMemory(Name, shape, values, path);
        }
    }
}
