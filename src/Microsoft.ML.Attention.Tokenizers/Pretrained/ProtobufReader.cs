using System;
using System.IO;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The protocol-buffer wire format, read forward over a byte range: field tags, varints, fixed 32/64-bit values and
/// length-delimited payloads (sub-messages, strings, bytes, packed repeated fields). Enough to walk an ONNX model
/// without a generated schema; unknown fields are skipped.
/// </summary>
internal ref struct ProtobufReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _file;
    private int _position;

    public ProtobufReader(ReadOnlySpan<byte> data, string file)
    {
        _data = data;
        _file = file;
        _position = 0;
    }

    public bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
                throw Damaged("a varint runs past the end");
            byte b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw Damaged("a varint is longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw Damaged($"a field claims {length} bytes where {_data.Length - _position} remain");
        var payload = _data.Slice(_position, (int)length);
        _position += (int)length;
        return payload;
    }

    public uint ReadFixed32()
    {
        var bytes = Take(4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Take(8); break;
            case 2: ReadLengthDelimited(); break;
            case 5: Take(4); break;
            default: throw Damaged($"wire type {wireType} is not one of protobuf's");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
            throw Damaged("a fixed-size field runs past the end");
        var bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    private InvalidDataException Damaged(string what)
        => CheckpointErrors.Invalid(_file, $"not a valid ONNX (protobuf) file, or truncated: {what} (at byte {_position} of a {_data.Length}-byte message).");
}
