using System;
using System.IO;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The protocol-buffer wire format read forward from a file, for messages too large to hold in memory (an ONNX
/// model's graph, its weight tensors): tags, varints and lengths are read; a payload is either read into a small array
/// (<see cref="ReadBytes"/>, then walked with <see cref="ProtobufReader"/>) or skipped, its file offset kept.
/// </summary>
internal sealed class ProtobufFile : IDisposable
{
    // Sub-messages read whole (nodes, names, shapes) are small; a length beyond this is a damaged file.
    private const long MaxReadBytes = 64L * 1024 * 1024;

    private readonly BufferedStream _stream;
    private readonly string _file;

    public ProtobufFile(string path)
    {
        _file = path;
        _stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1), 1 << 16);
        Length = _stream.Length;
    }

    public long Length { get; }

    public long Position { get; private set; }

    /// <summary>The next field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).</summary>
    public (int Field, int WireType) ReadTag(long end)
    {
        var tag = ReadVarint(end);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint(long end)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (Position >= end)
                throw Damaged("a varint runs past the end of its message");
            int b = _stream.ReadByte();
            if (b < 0)
                throw Damaged("the file ends inside a varint");
            Position++;
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw Damaged("a varint is longer than 10 bytes");
    }

    /// <summary>A length-delimited field's length, checked against the end of the message holding it.</summary>
    public long ReadLength(long end)
    {
        var length = ReadVarint(end);
        if (length > (ulong)(end - Position))
            throw Damaged($"a field claims {length} bytes where {end - Position} remain");
        return (long)length;
    }

    /// <summary>A fixed-size field's bytes (4 for wire type 5), checked against the end of the message holding it.</summary>
    public byte[] ReadFixed(int count, long end)
    {
        if (end - Position < count)
            throw Damaged("a fixed-size field runs past the end of its message");
        return ReadBytes(count);
    }

    public byte[] ReadBytes(long count)
    {
        if (count > MaxReadBytes)
            throw Damaged($"a {count}-byte field where a small one was expected");
        var bytes = new byte[count];
        try
        {
            _stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw Damaged($"the file ends inside a {count}-byte field");
        }
        Position += count;
        return bytes;
    }

    public void SkipBytes(long count)
    {
        _stream.Seek(count, SeekOrigin.Current);
        Position += count;
    }

    /// <summary>Skips a field of the given wire type inside a message ending at <paramref name="end"/>.</summary>
    public void Skip(int wireType, long end)
    {
        switch (wireType)
        {
            case 0: ReadVarint(end); break;
            case 1: SkipFixed(8, end); break;
            case 2: SkipBytes(ReadLength(end)); break;
            case 5: SkipFixed(4, end); break;
            default: throw Damaged($"wire type {wireType} is not one of protobuf's");
        }
    }

    private void SkipFixed(int count, long end) => ReadFixed(count, end);

    private InvalidDataException Damaged(string what)
        => CheckpointErrors.Invalid(_file, $"not a valid ONNX (protobuf) file, or truncated: {what} (at byte {Position} of the {Length}-byte file).");

    public void Dispose() => _stream.Dispose();
}
