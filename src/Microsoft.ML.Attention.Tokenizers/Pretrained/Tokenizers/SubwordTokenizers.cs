using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The tokenizers a pretrained encoder reads, chosen from the model's files, and how a saved tokenizer records its kind.
/// Adding a tokenizer is one class and one line in <see cref="All"/>.
/// </summary>
internal static class SubwordTokenizers
{
    /// <summary>Every kind, one line each; for a folder that does not say, the first whose file is there.</summary>
    public static readonly IReadOnlyList<TokenizerKind> All = new[]
    {
        WordPieceTokenizer.Registration,
        SentencePieceTokenizer.Registration,
    };

    /// <summary>
    /// The tokenizer of a model's files: the kind tokenizer_config.json's tokenizer_class names, else (an unknown
    /// class or none) the kind whose file is in the folder or was given.
    /// </summary>
    public static SubwordTokenizer Read(TokenizerFiles files) => Choose(files).Read(files);

    private static TokenizerKind Choose(TokenizerFiles files)
    {
        if (files.ExplicitFile is { } file)
            return All.FirstOrDefault(k => Path.GetExtension(file).Equals(Path.GetExtension(k.FileName), System.StringComparison.OrdinalIgnoreCase))
                ?? throw CheckpointErrors.Invalid(file, $"a tokenizer file is one of {Files}.");
        var tokenizerClass = files.TokenizerClass;
        var named = All.FirstOrDefault(k => k.TokenizerClasses.Contains(tokenizerClass));
        if (named is not null)
            return named;
        var present = All.FirstOrDefault(k => File.Exists(files.FileOf(k)));
        if (present is not null)
            return present;
        if (tokenizerClass is not null)
            throw CheckpointErrors.Invalid(files.ConfigPath, $"tokenizer_class '{tokenizerClass}' is not supported, and the folder has none of {Files}; "
                + "supported: " + string.Join(", ", All.Select(k => $"{string.Join(" or ", k.TokenizerClasses)} ({k.Name})")) + ".");
        // The first kind's own error says which file, and what it should hold.
        return All[0];
    }

    private static string Files => string.Join(" or ", All.Select(k => $"{k.FileName} ({k.Name})"));

    // *** Binary format ***
    // string kind (a TokenizerKind.Name), then the kind's data (its Save). In a model zip this is the stream
    // "PretrainedTokenizer" (TokenizerStream, in the main library); in a file beside an ONNX export, PretrainedTokenizer's.

    /// <summary>Writes a tokenizer's kind, then its data; <see cref="Load(BinaryReader, string)"/> reads them back.</summary>
    public static void Save(BinaryWriter writer, SubwordTokenizer tokenizer)
    {
        writer.Write(tokenizer.Kind.Name);
        tokenizer.Save(writer);
    }

    /// <summary>Reads a tokenizer's kind, then the kind's data; <paramref name="part"/> names it in errors.</summary>
    public static SubwordTokenizer Load(BinaryReader reader, string part)
    {
        var name = reader.ReadString();
        var kind = All.FirstOrDefault(k => k.Name == name)
            ?? throw RecordFormat.Error(part, $"its kind is '{name}'; this version reads {string.Join(", ", All.Select(k => k.Name))}.");
        return kind.Load(reader, part);
    }

    /// <summary>Writes a tokenizer's file: int byte count, then the bytes.</summary>
    public static void WriteFile(BinaryWriter writer, byte[] file)
    {
        writer.Write(file.Length);
        writer.Write(file);
    }

    /// <summary>Reads what <see cref="WriteFile"/> wrote, its length checked against the stream.</summary>
    public static byte[] ReadFile(BinaryReader reader, string what, string part) => RecordFormat.ReadBlock(reader, reader.ReadInt32(), what, part);
}
