using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Infrastructure.Fuzz;

/// <summary>
/// Edits one field of a protobuf file (an .onnx model) and writes it back with every enclosing length recomputed, so
/// that the edit reaches the parser of that field instead of breaking the container around it: a varint (a dimension,
/// a data type, a version) set to a hostile value, or one length prefix set to a value other than its payload's.
/// </summary>
internal static class ProtobufEdit
{
    // A length-delimited payload is taken for a nested message when it parses as one; a string or raw data that
    // happens to parse is harmless, it is only damaged differently.
    private sealed class Field
    {
        public int Number;
        public int Wire;
        public ulong Value;                 // wire 0
        public byte[] Payload = [];         // wire 1, 2, 5
        public List<Field>? Children;       // wire 2, when it parses
        public ulong? DeclaredLength;       // wire 2: a length written instead of the payload's (the edit)
    }

    /// <summary>The file with one varint or length prefix changed to <paramref name="value"/>, and what was done; null when nothing parses.</summary>
    public static (byte[] Bytes, string What)? Edit(byte[] bytes, Random random, long value)
    {
        var fields = Parse(bytes, 0);
        if (fields == null || fields.Count == 0)
            return null;
        var varints = new List<(Field Field, string Path)>();
        var lengths = new List<(Field Field, string Path)>();
        Collect(fields, "", varints, lengths);
        bool editLength = lengths.Count > 0 && (varints.Count == 0 || random.Next(3) == 0);
        var (field, path) = editLength ? lengths[random.Next(lengths.Count)] : varints[random.Next(varints.Count)];
        string what;
        if (editLength)
        {
            field.DeclaredLength = (ulong)value;
            what = $"length of field {path} ({field.Payload.Length} bytes) written as {value}";
        }
        else
        {
            what = $"varint field {path} ({field.Value}) set to {value}";
            field.Value = (ulong)value;
        }
        using var output = new MemoryStream();
        Write(fields, output);
        return (output.ToArray(), what);
    }

    private static void Collect(List<Field> fields, string prefix, List<(Field, string)> varints, List<(Field, string)> lengths)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            var path = $"{prefix}{fields[i].Number}[{i}]";
            if (fields[i].Wire == 0)
                varints.Add((fields[i], path));
            else if (fields[i].Wire == 2)
            {
                lengths.Add((fields[i], path));
                if (fields[i].Children is { } children)
                    Collect(children, path + ".", varints, lengths);
            }
        }
    }

    private static List<Field>? Parse(byte[] bytes, int depth)
    {
        var fields = new List<Field>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (!TryVarint(bytes, ref at, out var tag) || tag >> 3 is 0 or > 536_870_911)
                return null;
            var field = new Field { Number = (int)(tag >> 3), Wire = (int)(tag & 7) };
            switch (field.Wire)
            {
                case 0:
                    if (!TryVarint(bytes, ref at, out field.Value))
                        return null;
                    break;
                case 1 or 5:
                    int width = field.Wire == 1 ? 8 : 4;
                    if (at + width > bytes.Length)
                        return null;
                    field.Payload = bytes[at..(at + width)];
                    at += width;
                    break;
                case 2:
                    if (!TryVarint(bytes, ref at, out var length) || length > (ulong)(bytes.Length - at))
                        return null;
                    field.Payload = bytes[at..(at + (int)length)];
                    at += (int)length;
                    if (depth < 8 && field.Payload.Length > 0)
                        field.Children = Parse(field.Payload, depth + 1);
                    break;
                default:
                    return null;
            }
            fields.Add(field);
        }
        return fields;
    }

    private static bool TryVarint(byte[] bytes, ref int at, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && at < bytes.Length; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }

    private static void Write(List<Field> fields, Stream output)
    {
        foreach (var field in fields)
        {
            WriteVarint(output, (ulong)field.Number << 3 | (uint)field.Wire);
            if (field.Wire == 0)
                WriteVarint(output, field.Value);
            else if (field.Wire == 2)
            {
                byte[] payload = field.Payload;
                if (field.Children != null)
                {
                    using var nested = new MemoryStream();
                    Write(field.Children, nested);
                    payload = nested.ToArray();
                }
                WriteVarint(output, field.DeclaredLength ?? (ulong)payload.Length);
                output.Write(payload);
            }
            else
                output.Write(field.Payload);
        }
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
