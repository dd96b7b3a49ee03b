using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Attention.Tests.Infrastructure.Fuzz;

/// <summary>
/// Damages one file of a model's files the ways issue 33 lists: a flipped bit, a truncation, an edited length or count
/// field, an edited number of a JSON document (or of a vector file) and a renamed tensor. Deterministic for its seed.
/// </summary>
internal sealed class Mutator
{
    // Values a hostile or unlucky edit writes over a size: empty, negative, huge, just past the truth.
    private static readonly long[] Sizes = { 0, -1, 1, 255, 65536, 1_000_000, int.MaxValue, 0x40000000, uint.MaxValue, long.MaxValue };

    private static readonly string[] Numbers = { "0", "-1", "1", "3", "100000", "1e9", "2147483648", "-3.4e38", "1e400", "0.5", "7" };

    private static readonly Regex Number = new(@"-?\b[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", RegexOptions.Compiled);

    private static readonly Regex TensorName = new(@"[a-z_]+(\.[A-Za-z0-9_]+)+", RegexOptions.Compiled);

    private readonly Random _random;

    public Mutator(int seed) => _random = new Random(seed);

    /// <summary>
    /// Returns a copy of <paramref name="files"/> (paths to contents) with one of <paramref name="targets"/> damaged,
    /// and what was done, to reproduce it.
    /// </summary>
    public (Dictionary<string, byte[]> Files, string Mutation) Mutate(IReadOnlyDictionary<string, byte[]> files, IReadOnlyList<string> targets)
    {
        var copy = files.ToDictionary(f => f.Key, f => (byte[])f.Value.Clone());
        var path = targets[_random.Next(targets.Count)];
        var bytes = copy[path];
        if (path.EndsWith("Model.key", StringComparison.Ordinal))
        {
            // ML.NET's header, string table and loader name around the model's own data are ML.NET's to check, and
            // their offsets hold only while the data keeps its length. The header gives the data's offset at byte 16
            // and its length at byte 24 (then the string table's, at 32 and 40).
            int start = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)), length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24));
            var (data, change) = _random.Next(4) switch
            {
                0 => FlipBit(bytes[start..(start + length)]),
                1 => EditSize(bytes[start..(start + length)]),
                2 => EditNumber(bytes[start..(start + length)], sameLength: true),
                _ => Rename(bytes[start..(start + length)]),
            };
            data.CopyTo(bytes, start);
            return (copy, $"{path}: model data at {start}: {change}");
        }
        var (edited, what) = _random.Next(5) switch
        {
            0 => FlipBit(bytes),
            1 => Truncate(bytes),
            2 when path.EndsWith(".onnx", StringComparison.Ordinal) => EditProtobuf(bytes),
            2 => EditSize(bytes),
            3 => EditNumber(bytes, sameLength: false),
            _ => Rename(bytes),
        };
        copy[path] = edited;
        return (copy, $"{path}: {what}");
    }

    private (byte[], string) FlipBit(byte[] bytes)
    {
        if (bytes.Length == 0)
            return (bytes, "nothing (empty)");
        var copy = (byte[])bytes.Clone();
        int at = _random.Next(copy.Length), bit = _random.Next(8);
        copy[at] ^= (byte)(1 << bit);
        return (copy, $"bit {bit} of byte {at} flipped");
    }

    private (byte[], string) Truncate(byte[] bytes)
    {
        int length = _random.Next(bytes.Length);
        return (bytes[..length], $"cut to {length} of {bytes.Length} bytes");
    }

    // A 4-byte field holding a plausible count or length (1 to 1,000,000), or an 8-byte one at the start (safetensors' header length).
    private (byte[], string) EditSize(byte[] bytes)
    {
        var fields = Enumerable.Range(0, Math.Max(0, bytes.Length - 3))
            .Where(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i)) is >= 1 and <= 1_000_000).ToList();
        var copy = (byte[])bytes.Clone();
        var value = Sizes[_random.Next(Sizes.Length)];
        if (bytes.Length >= 8 && (fields.Count == 0 || _random.Next(8) == 0))
        {
            BinaryPrimitives.WriteInt64LittleEndian(copy, value);
            return (copy, $"8-byte field at 0 set to {value}");
        }
        if (fields.Count == 0)
            return FlipBit(bytes);
        int at = fields[_random.Next(fields.Count)];
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(at), (int)value);
        return (copy, $"4-byte field at {at} ({BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at))}) set to {(int)value}");
    }

    // A protobuf field of an .onnx file: the 4-byte sizes EditSize looks for are varints there.
    private (byte[], string) EditProtobuf(byte[] bytes)
        => ProtobufEdit.Edit(bytes, _random, Sizes[_random.Next(Sizes.Length)]) ?? FlipBit(bytes);

    // A number of the file's text (a JSON document, a vector file) or of a length-prefixed JSON string in a binary entry.
    // With sameLength, a longer value becomes nines and a shorter one is padded with spaces, which JSON allows.
    private (byte[], string) EditNumber(byte[] bytes, bool sameLength)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var matches = Number.Matches(text);
        if (matches.Count == 0)
            return FlipBit(bytes);
        var match = matches[_random.Next(matches.Count)];
        var value = Numbers[_random.Next(Numbers.Length)];
        if (sameLength)
            value = value.Length > match.Length ? new string('9', match.Length) : value.PadRight(match.Length);
        var edited = Encoding.Latin1.GetBytes(text[..match.Index] + value + text[(match.Index + match.Length)..]);
        return (FixLengths(bytes, edited, match.Index, value.Length - match.Length), $"number {match.Value} at {match.Index} set to {value}");
    }

    // Keeps the container consistent around an edited number, so that the edit reaches the parser of the number:
    // safetensors' 8-byte header length, a string's 7-bit length prefix, and a module checkpoint's block length.
    private static byte[] FixLengths(byte[] original, byte[] edited, int at, int delta)
    {
        if (delta == 0)
            return edited;
        if (original.Length >= 9 && original[8] == '{' && BinaryPrimitives.ReadInt64LittleEndian(original) is var header && at < 8 + header && header < original.Length)
        {
            BinaryPrimitives.WriteInt64LittleEndian(edited, header + delta);
            return edited;
        }
        var text = Encoding.Latin1.GetString(original);
        int open = text.LastIndexOf("{\"", at, StringComparison.Ordinal);
        // BinaryWriter's prefix: 7 bits a byte, low bits first; one byte below 128, two below 16,384.
        int length = open >= 1 && original[open - 1] < 0x80 ? open >= 2 && original[open - 2] >= 0x80 ? (original[open - 2] & 0x7F) | original[open - 1] << 7 : original[open - 1] : -1;
        bool twoBytes = length >= 0x80;
        if (length < 0 || open + length <= at || (twoBytes ? length + delta is < 0x80 or >= 0x4000 : length + delta is <= 0 or >= 0x80))
            return edited;
        if (twoBytes)
        {
            edited[open - 2] = (byte)(0x80 | (length + delta) & 0x7F);
            edited[open - 1] = (byte)((length + delta) >> 7);
        }
        else
            edited[open - 1] = (byte)(length + delta);
        var magic = ModelZip.IndexOf(original, ModelZip.WeightsMagic);
        if (magic >= 0 && open > magic + ModelZip.WeightsMagic.Length + 8)
        {
            var blockAt = magic + ModelZip.WeightsMagic.Length + 4;
            BinaryPrimitives.WriteInt32LittleEndian(edited.AsSpan(blockAt), BinaryPrimitives.ReadInt32LittleEndian(original.AsSpan(blockAt)) + delta);
        }
        return edited;
    }

    // One character of a tensor name (or of any dotted name) changed, keeping its length.
    private (byte[], string) Rename(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var names = TensorName.Matches(text);
        if (names.Count == 0)
            return FlipBit(bytes);
        var name = names[_random.Next(names.Count)];
        int at = name.Index + _random.Next(name.Length);
        const string Characters = "abcdefghijklmnopqrstuvwxyz0123456789._";
        var copy = (byte[])bytes.Clone();
        copy[at] = (byte)Characters[_random.Next(Characters.Length)];
        return (copy, $"'{name.Value}' renamed to '{Encoding.Latin1.GetString(copy, name.Index, name.Length)}'");
    }
}
