using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// Writes a <see cref="TinyBert"/> as an .onnx file laid out as PyTorch exports a Hugging Face BertModel, written
/// independently of the library's reader from onnx.proto's field numbers: named embeddings, biases and LayerNorms;
/// each Linear weight transposed to [in, out] under a bare "onnx::MatMul_N" name, consumed by a MatMul whose output
/// an Add takes with the named bias; the attention scores' Div by sqrt(head size), LayerNorm's ReduceMean + epsilon
/// Add and GELU's Erf, from which the encoder's shape is read when no config.json is beside the file.
/// </summary>
/// <remarks>
/// Only the nodes that carry the weights' names and the shape are written: the library never runs the graph, and the
/// tests that need ONNX Runtime's outputs use all-MiniLM-L6-v2's real export.
/// </remarks>
internal static class TinyBertOnnx
{
    private const int FloatType = 1;

    /// <summary>Writes model.onnx and vocab.txt into <paramref name="folder"/>; returns the folder.</summary>
    public static string WriteFolder(TinyBert bert, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), TinyBert.Vocabulary);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Model(bert));
        return folder;
    }

    private static byte[] Model(TinyBert bert)
    {
        var graph = new Message();
        int bare = 100;
        var linears = bert.Weights.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal) && bert.Weights[k].Shape.Length == 2 && !k.StartsWith("embeddings.", StringComparison.Ordinal)).ToList();
        foreach (var (name, (shape, values)) in bert.Weights.Where(w => !linears.Contains(w.Key)))
            graph.Bytes(5, Tensor(name, shape, values));
        string previous = "input_states";
        foreach (var weight in linears)
        {
            var (shape, values) = bert.Weights[weight];
            var constant = $"onnx::MatMul_{bare++}";
            graph.Bytes(5, Tensor(constant, new[] { shape[1], shape[0] }, Transpose(values, (int)shape[0], (int)shape[1])));
            var product = constant + "_output";
            graph.Bytes(1, Node("MatMul", new[] { previous, constant }, product));
            previous = weight[..^".weight".Length] + "_output";
            graph.Bytes(1, Node("Add", new[] { product, weight[..^".weight".Length] + ".bias" }, previous));
        }
        // Attention scores: a MatMul of two computed tensors divided by a Constant sqrt(head size).
        graph.Bytes(1, Node("MatMul", new[] { "encoder.layer.0.attention.self.query_output", "encoder.layer.0.attention.self.key_output" }, "scores"));
        graph.Bytes(1, ConstantNode("scale", Math.Sqrt(TinyBert.Hidden / TinyBert.Heads)));
        graph.Bytes(1, Node("Div", new[] { "scores", "scale" }, "scaled_scores"));
        // LayerNorm decomposed: ReduceMean of the squared deviations, then Add of a Constant epsilon.
        graph.Bytes(1, Node("ReduceMean", new[] { "squared_deviations" }, "variance"));
        graph.Bytes(1, ConstantNode("epsilon", TinyBert.Epsilon));
        graph.Bytes(1, Node("Add", new[] { "variance", "epsilon" }, "variance_plus_epsilon"));
        graph.Bytes(1, Node("Erf", new[] { "halved" }, "erf"));
        graph.Text(2, "main_graph");

        var model = new Message();
        model.Varint(1, 8);                                   // ir_version
        model.Text(2, "pytorch");                             // producer_name
        model.Bytes(8, new Message().Varint(2, 14).ToArray()); // opset_import { version: 14 }
        model.Bytes(7, graph.ToArray());
        return model.ToArray();
    }

    private static double[] Transpose(double[] values, int rows, int columns)
    {
        var result = new double[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian float32).
    private static byte[] Tensor(string name, long[] shape, double[] values)
    {
        var tensor = new Message();
        foreach (var d in shape)
            tensor.Varint(1, (ulong)d);
        tensor.Varint(2, FloatType);
        tensor.Text(8, name);
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), (float)values[i]);
        tensor.Bytes(9, raw);
        return tensor.ToArray();
    }

    // NodeProto: input = 1, output = 2, op_type = 4, attribute = 5.
    private static byte[] Node(string op, string[] inputs, string output, byte[]? attribute = null)
    {
        var node = new Message();
        foreach (var input in inputs)
            node.Text(1, input);
        node.Text(2, output);
        node.Text(4, op);
        if (attribute != null)
            node.Bytes(5, attribute);
        return node.ToArray();
    }

    // A Constant node whose "value" attribute (AttributeProto: name = 1, t = 5, type = 20 TENSOR = 4) is a scalar.
    private static byte[] ConstantNode(string output, double value)
        => Node("Constant", Array.Empty<string>(), output, new Message().Text(1, "value").Bytes(5, Tensor("", Array.Empty<long>(), new[] { value })).Varint(20, 4).ToArray());

    /// <summary>A protobuf message being written: fields in the order given.</summary>
    private sealed class Message
    {
        private readonly MemoryStream _stream = new();

        public Message Varint(int field, ulong value)
        {
            WriteVarint(((ulong)field << 3) | 0);
            WriteVarint(value);
            return this;
        }

        public Message Bytes(int field, byte[] payload)
        {
            WriteVarint(((ulong)field << 3) | 2);
            WriteVarint((ulong)payload.Length);
            _stream.Write(payload);
            return this;
        }

        public Message Text(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));

        public byte[] ToArray() => _stream.ToArray();

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _stream.WriteByte((byte)value);
        }
    }
}
