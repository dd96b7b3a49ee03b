using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using SentencePieceModel = Microsoft.ML.Tokenizers.SentencePieceTokenizer;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// XLM-RoBERTa's SentencePiece tokenizer (sentencepiece.bpe.model; tokenizer_class XLMRobertaTokenizer), as Hugging
/// Face's XLMRobertaTokenizer computes it: the SentencePiece model's own normalization and segmentation
/// (Microsoft.ML.Tokenizers' <see cref="SentencePieceModel"/>, Unigram or BPE), then fairseq's ids: a piece's id is
/// its SentencePiece id plus one, SentencePiece's unknown becomes &lt;unk&gt;, and a window is &lt;s&gt; pieces &lt;/s&gt;.
/// The special tokens' texts come from tokenizer_config.json or special_tokens_map.json, their ids from tokenizer.json's
/// added_tokens or tokenizer_config.json's added_tokens_decoder, else fairseq's (&lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3).
/// </summary>
/// <remarks>
/// Special tokens written inside a text ("&lt;mask&gt;") are read as text, not as their ids.
/// </remarks>
internal sealed class SentencePieceTokenizer : SubwordTokenizer
{
    /// <summary>Its registration in <see cref="SubwordTokenizers"/>.</summary>
    public static readonly TokenizerKind Registration = new("SentencePiece", "sentencepiece.bpe.model", new[] { "XLMRobertaTokenizer" }, Read, Load);

    // fairseq's dictionary puts four tokens before SentencePiece's pieces; XLMRobertaTokenizer's fairseq_offset.
    private static readonly IReadOnlyDictionary<string, int> Fairseq = new Dictionary<string, int> { ["<s>"] = 0, ["<pad>"] = 1, ["</s>"] = 2, ["<unk>"] = 3 };
    private const int FairseqOffset = 1;

    /// <summary>What is saved beside the SentencePiece model: the layout of the ids and the special tokens.</summary>
    private sealed record Settings(bool LowerCase, int Offset, string Start, int StartId, string End, int EndId, string Padding, int PaddingId, string Unknown, int UnknownId);

    private readonly SentencePieceModel _model;
    private readonly Settings _settings;
    private readonly byte[] _file;
    private readonly int _pieceUnknownId;
    private readonly bool _unigram;
    private string[]? _pieces;

    private SentencePieceTokenizer(SentencePieceModel model, byte[] file, Settings settings, string source)
    {
        _model = model;
        _file = file;
        _settings = settings;
        _pieceUnknownId = model.UnknownId;
        _unigram = IsUnigram(file, source);
    }

    public override TokenizerKind Kind => Registration;

    public override int StartId => _settings.StartId;

    public override int EndId => _settings.EndId;

    public override int PaddingId => _settings.PaddingId;

    /// <summary>The number of pieces of the SentencePiece model.</summary>
    public int PieceCount => _model.Vocabulary.Count;

    public override string Describe() => $"SentencePiece {(_unigram ? "Unigram" : "BPE")} ({PieceCount} pieces, XLM-R ids){(_settings.LowerCase ? ", lower-cased" : "")}";

    private static SubwordTokenizer Read(TokenizerFiles files)
    {
        var path = files.FileOf(Registration);
        if (!File.Exists(path))
            throw CheckpointErrors.Missing(path, "the model's SentencePiece model (sentencepiece.bpe.model) was expected.");
        if (files.TokenizerClass is { } name && !Registration.TokenizerClasses.Contains(name))
            throw CheckpointErrors.Invalid(files.ConfigPath, $"tokenizer_class is '{name}'; a SentencePiece model is read with XLMRobertaTokenizer's ids only.");
        var file = File.ReadAllBytes(path);
        var model = Create(file, path);
        int IdOf(string token) => files.AddedTokenId(token) ?? (Fairseq.TryGetValue(token, out var id) ? id
            : model.Vocabulary.TryGetValue(token, out var piece) ? piece + FairseqOffset
            : throw CheckpointErrors.Invalid(path, $"the special token '{token}' is neither one of fairseq's nor a piece of the model."));
        var (start, end) = (files.SpecialToken("cls_token", "<s>"), files.SpecialToken("sep_token", "</s>"));
        var (padding, unknown) = (files.SpecialToken("pad_token", "<pad>"), files.SpecialToken("unk_token", "<unk>"));
        var settings = new Settings(files.LowerCase == true || files.LowerCaseText, FairseqOffset, start, IdOf(start), end, IdOf(end),
            padding, IdOf(padding), unknown, IdOf(unknown));
        var tokenizer = new SentencePieceTokenizer(model, file, settings, path);
        tokenizer.CheckVocabularySize(files.VocabularySize, path);
        return tokenizer;
    }

    private static SentencePieceModel Create(byte[] file, string source)
    {
        try
        {
            using var stream = new MemoryStream(file, writable: false);
            return SentencePieceModel.Create(stream, false, false, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw CheckpointErrors.Invalid(source, $"not a SentencePiece model Microsoft.ML.Tokenizers reads ({e.GetType().Name}: {e.Message}).");
        }
    }

    public override void CheckVocabularySize(int vocabularySize, string source)
    {
        int needed = PieceCount + _settings.Offset;
        if (needed > vocabularySize)
            throw CheckpointErrors.Invalid(source, $"the SentencePiece model has {PieceCount} pieces, ids up to {needed - 1} with fairseq's offset, "
                + $"but the model has {vocabularySize} word embeddings: it is not this model's tokenizer.");
        foreach (var (token, id) in new[] { (_settings.Start, _settings.StartId), (_settings.End, _settings.EndId), (_settings.Padding, _settings.PaddingId), (_settings.Unknown, _settings.UnknownId) })
            if (id < 0 || id >= vocabularySize)
                throw CheckpointErrors.Invalid(source, $"the special token '{token}' has id {id}, outside the model's {vocabularySize} word embeddings.");
    }

    /// <summary>The ids of a text's pieces, without &lt;s&gt; and &lt;/s&gt;; null or empty text has none.</summary>
    public override int[] Ids(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Array.Empty<int>();
        if (_settings.LowerCase)
            text = text.ToLowerInvariant();
        var pieces = _model.EncodeToIds(text, false, false, true, true);
        var ids = new List<int>(pieces.Count);
        for (int i = 0; i < pieces.Count; i++)
        {
            bool unknown = pieces[i] == _pieceUnknownId;
            // SentencePiece's Unigram segmentation makes a run of unknown characters one unknown piece (sentencepiece's
            // own encoder and Hugging Face's fuse_unk); Microsoft.ML.Tokenizers gives one per character.
            if (unknown && _unigram && i > 0 && pieces[i - 1] == _pieceUnknownId)
                continue;
            ids.Add(unknown ? _settings.UnknownId : pieces[i] + _settings.Offset);
        }
        return ids.ToArray();
    }

    // The model proto's trainer_spec (field 2) holds model_type (field 3): 1 Unigram (the default), 2 BPE.
    private static bool IsUnigram(byte[] file, string source)
    {
        var model = new ProtobufReader(file, source);
        while (!model.AtEnd)
        {
            var (field, wireType) = model.ReadTag();
            if (field != 2 || wireType != 2)
            {
                model.Skip(wireType);
                continue;
            }
            var spec = new ProtobufReader(model.ReadLengthDelimited(), source);
            while (!spec.AtEnd)
            {
                var (specField, specWireType) = spec.ReadTag();
                if (specField == 3 && specWireType == 0)
                    return spec.ReadVarint() == 1;
                spec.Skip(specWireType);
            }
        }
        return true;
    }

    public override string Piece(int id)
    {
        if (id == _settings.StartId) return _settings.Start;
        if (id == _settings.EndId) return _settings.End;
        if (id == _settings.PaddingId) return _settings.Padding;
        if (id == _settings.UnknownId) return _settings.Unknown;
        if (_pieces is null)
        {
            var pieces = new string[PieceCount];
            foreach (var (piece, pieceId) in _model.Vocabulary)
                if (pieceId >= 0 && pieceId < pieces.Length)
                    pieces[pieceId] = piece;
            _pieces = pieces;
        }
        int index = id - _settings.Offset;
        return index >= 0 && index < _pieces.Length ? _pieces[index] ?? _settings.Unknown : _settings.Unknown;
    }

    // *** Binary format ***
    // string the settings (JSON, see Settings), then the SentencePiece model's bytes (see SubwordTokenizers.WriteFile)
    public override void Save(BinaryWriter writer)
    {
        RecordFormat.WriteConfig(writer, _settings);
        SubwordTokenizers.WriteFile(writer, _file);
    }

    private static SubwordTokenizer Load(BinaryReader reader, string part)
    {
        var settings = RecordFormat.ReadConfig<Settings>(reader, part);
        var file = SubwordTokenizers.ReadFile(reader, "the SentencePiece model's length", part);
        try
        {
            return new SentencePieceTokenizer(Create(file, part), file, settings, part);
        }
        catch (InvalidDataException e)
        {
            throw RecordFormat.Error(part, e.Message);
        }
    }
}
