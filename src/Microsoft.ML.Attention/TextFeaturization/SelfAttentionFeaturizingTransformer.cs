using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(SelfAttentionFeaturizingTransformer), null, typeof(SignatureLoadModel),
    "Self-Attention Text Featurizer", SelfAttentionFeaturizingTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(SelfAttentionFeaturizingTransformer), null, typeof(SignatureLoadRowMapper),
    "Self-Attention Text Featurizer", SelfAttentionFeaturizingTransformer.LoaderSignature)]

namespace Microsoft.ML.Attention;

/// <summary>
/// Turns text into a fixed-size vector with a small self-attention encoder, for any ML.NET trainer.
/// Created by <see cref="SelfAttentionFeaturizingEstimator"/>.
/// </summary>
/// <remarks>
/// <para>Input: a text column (String; null or empty text gives a valid vector). Output: a vector of
/// <see cref="OutputSize"/> floats and, when a token-weights column was named, the share of attention each
/// token the encoder read received (a variable-length vector, in token order).</para>
/// </remarks>
public sealed class SelfAttentionFeaturizingTransformer : AttentionTransformerBase
{
    // At most 24 characters: the model header stores it in a fixed field.
    internal const string LoaderSignature = "SelfAttentionFeaturizer";

    // Version history: see ModelFormat.
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("SELFATTN", LoaderSignature, typeof(SelfAttentionFeaturizingTransformer));

    // Which encoder a saved model holds (format 0x00010003 on; older models hold one trained from scratch).
    private enum EncoderKind
    {
        FromScratch = 0,
        PretrainedBert = 1,
    }

    // Position of the token-weights column among the outputs (after the vector), when it exists.
    private const int TokenWeightsOutput = 1;

    // Transform reads this many rows ahead: a larger pool gives groups of more similar length (less padding) and
    // enough groups to keep the concurrent workers busy (with 16,384 tokens: 760-870 docs/s from 256 rows, 1,100-1,200 from 2,048).
    private protected override int ScoringBatchSize => 2048;

    private readonly string _input;
    private readonly string _output;
    private readonly string? _tokenWeights;
    private readonly TokenAttentionSource _tokenWeightsSource;
    private readonly IFeaturizerEncoder _encoder;

    /// <summary>Name of the input text column.</summary>
    public string InputColumnName => _input;

    /// <summary>Name of the output vector column.</summary>
    public string OutputColumnName => _output;

    /// <summary>Size of the output vector.</summary>
    public int OutputSize => _encoder.OutputSize;

    /// <summary>True when the encoder is a pretrained model (<c>PretrainedModelPath</c>), false when it was trained from scratch.</summary>
    public bool IsPretrained => _encoder is Pretrained.PretrainedEncoder;

    /// <summary>
    /// The tokens of <paramref name="text"/> whose attention the token-weights column reports, in the same order: the
    /// words (or, for a pretrained encoder, the word pieces such as "##s") the encoder reads after the long-text rule,
    /// without its classification and separator tokens.
    /// </summary>
    /// <param name="text">A text, as in the input column; null or empty has no tokens.</param>
    public IReadOnlyList<string> GetTokens(string? text) => _encoder.TokensRead(text);

    internal SelfAttentionFeaturizingTransformer(IHostEnvironment env, string output, string input, string? tokenWeights,
        TokenAttentionSource tokenWeightsSource, IFeaturizerEncoder encoder)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SelfAttentionFeaturizingTransformer)), encoder.Module)
    {
        _output = output;
        _input = input;
        _tokenWeights = tokenWeights;
        _tokenWeightsSource = tokenWeightsSource;
        _encoder = encoder;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    // Every load error names the model file and the component's entry.
    private static SelfAttentionFeaturizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelFormat.Load(ctx, () => Read(env, ctx));

    private static SelfAttentionFeaturizingTransformer Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        var written = ModelFormat.CheckVersion(ctx, GetVersionInfo(), "self-attention featurizer", ModelFormat.FeaturizerWithoutEncoderKind);

        // *** Binary format ***
        // int: id of the output column name
        // int: id of the input column name
        // int: id of the token weights column name, or -1
        // int: token attention source
        // int: encoder kind (EncoderKind; absent before 0x00010003: from scratch)
        // the encoder (see FromScratchEncoder.Save or PretrainedEncoder.Save)
        var output = ModelFormat.ColumnName(ctx, "output")!;
        var input = ModelFormat.ColumnName(ctx, "input")!;
        var tokenWeights = ModelFormat.ColumnName(ctx, "token weights", optional: true);
        var source = (TokenAttentionSource)ctx.Reader.ReadInt32();
        var kind = written <= ModelFormat.FeaturizerWithoutEncoderKind ? EncoderKind.FromScratch : (EncoderKind)ctx.Reader.ReadInt32();
        IFeaturizerEncoder encoder = kind switch
        {
            EncoderKind.FromScratch => FromScratchEncoder.Load(ctx),
            EncoderKind.PretrainedBert => Pretrained.PretrainedEncoder.Load(ctx),
            _ => throw ModelFormat.Error("self-attention featurizer", $"encoder kind {(int)kind} is not one this version knows."),
        };
        try
        {
            ModelFormat.CheckAtEnd(ctx, "self-attention featurizer");
        }
        catch
        {
            encoder.Module.Dispose();
            throw;
        }
        return new SelfAttentionFeaturizingTransformer(env, output, input, tokenWeights, source, encoder);
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***: see Create.
        ctx.SaveNonEmptyString(_output);
        ctx.SaveNonEmptyString(_input);
        ctx.SaveStringOrNull(_tokenWeights);
        ctx.Writer.Write((int)_tokenWeightsSource);
        ctx.Writer.Write((int)(IsPretrained ? EncoderKind.PretrainedBert : EncoderKind.FromScratch));
        _encoder.Save(ctx);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema)
    {
        var text = TextColumn.Find(Host, inputSchema, _input);
        var outputs = new VectorOutputs(_output, _tokenWeights).Columns(OutputSize);
        return new BatchScorer<string?>(new[] { text }, outputs, source => TextColumn.Reader(source, text), Score);
    }

    /// <summary>
    /// Vectors (and token weights) of a batch of texts. The token weights are computed only when that column will be
    /// read: without them attention runs in libtorch's fused kernel, about 25% faster.
    /// </summary>
    private Array[] Score(IReadOnlyList<string?> texts, bool[] activeOutputs)
    {
        bool needWeights = _tokenWeights != null && activeOutputs[TokenWeightsOutput];
        var (vectors, weights) = _encoder.Encode(texts, needWeights ? _tokenWeightsSource : null);
        if (_tokenWeights == null)
            return new Array[] { vectors };
        return new Array[] { vectors, weights ?? texts.Select(_ => Array.Empty<float>()).ToArray() };
    }
}
