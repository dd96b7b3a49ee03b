using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

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
/// <para><c>mlContext.Model.ConvertToOnnx</c> exports an encoder trained from scratch with a graph that starts at token
/// ids (the input <see cref="TokenIdsColumnName"/>), which <see cref="GetTokenizer"/> makes from text without TorchSharp.</para>
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

    private protected override int ScoringBatchSize => TextEncoderColumns.ScoringBatchSize;

    private readonly TextEncoderColumns _columns;
    private readonly ITextEncoder _encoder;

    /// <summary>Name of the input text column.</summary>
    public string InputColumnName => _columns.Input;

    /// <summary>Name of the output vector column.</summary>
    public string OutputColumnName => _columns.Output;

    /// <summary>Size of the output vector.</summary>
    public int OutputSize => _encoder.OutputSize;

    /// <summary>
    /// True when the encoder is a pretrained model (the obsolete <c>PretrainedModelPath</c>, or a model saved with it by an
    /// earlier version), false when it was trained from scratch.
    /// </summary>
    [Obsolete(SelfAttentionFeaturizingEstimator.PretrainedPathObsolete)]
    public bool IsPretrained => _encoder is PretrainedEncoder;

    /// <summary>
    /// The tokens of <paramref name="text"/> whose attention the token-weights column reports, in the same order: the
    /// words (or, for a pretrained encoder, the word pieces such as "##s") the encoder reads after the long-text rule,
    /// without its classification and separator tokens.
    /// </summary>
    /// <param name="text">A text, as in the input column; null or empty has no tokens.</param>
    public IReadOnlyList<string> GetTokens(string? text) => _encoder.TokensRead(text);

    /// <summary>
    /// The input of the ONNX export (<c>mlContext.Model.ConvertToOnnx</c>), which starts at token ids rather than text:
    /// the output column's name followed by "TokenIds" (so that two featurizers of one text, each with its own
    /// vocabulary, have inputs of their own), an Int64 vector [texts, windows × <see cref="FeaturizerTokenizer.WindowWidth"/>]
    /// that an application scoring the exported graph fills with <see cref="TextTokenizer.TokenIds(string)"/> of
    /// <see cref="GetTokenizer"/>. The export declares it as a graph input (or uses the column when the data given to
    /// <c>ConvertToOnnx</c> has one of this name).
    /// </summary>
    public string TokenIdsColumnName => _columns.Output + "TokenIds";

    /// <summary>
    /// The featurizer's text front end (words, vocabulary, long-text rule) as a tokenizer that needs no TorchSharp: the
    /// token ids of the ONNX export's input. Throws <see cref="InvalidOperationException"/> for a featurizer holding a
    /// pretrained encoder (the obsolete <c>PretrainedModelPath</c>), which has no such export.
    /// </summary>
    public FeaturizerTokenizer GetTokenizer() => FromScratch("has no featurizer tokenizer").Tokenizer();

    /// <summary>The encoder: trained from scratch, or pretrained (the obsolete path).</summary>
    internal ITextEncoder Encoder => _encoder;

    internal SelfAttentionFeaturizingTransformer(IHostEnvironment env, TextEncoderColumns columns, ITextEncoder encoder)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SelfAttentionFeaturizingTransformer)), encoder.Module)
    {
        _columns = columns;
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
        // the columns (see TextEncoderColumns)
        // int: encoder kind (EncoderKind; absent before 0x00010003: from scratch)
        // the encoder (see FromScratchEncoder.Save or PretrainedEncoder.Save)
        var columns = TextEncoderColumns.Load(ctx);
        var kind = written <= ModelFormat.FeaturizerWithoutEncoderKind ? EncoderKind.FromScratch : (EncoderKind)ctx.Reader.ReadInt32();
        ITextEncoder encoder = kind switch
        {
            EncoderKind.FromScratch => FromScratchEncoder.Load(ctx),
            EncoderKind.PretrainedBert => PretrainedEncoder.Load(ctx),
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
        return new SelfAttentionFeaturizingTransformer(env, columns, encoder);
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***: see Create.
        _columns.Save(ctx);
        ctx.Writer.Write((int)(_encoder is PretrainedEncoder ? EncoderKind.PretrainedBert : EncoderKind.FromScratch));
        _encoder.Save(ctx);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema) => _columns.Bind(Host, inputSchema, _encoder);

    // Word tokenization and the vocabulary have no exact standard ONNX equivalent: the graph starts at token ids.
    private protected override void CheckOnnxExport() => FromScratch("cannot be exported to ONNX (mlContext.Model.ConvertToOnnx)");

    private protected override void SaveAsOnnx(OnnxContext context)
    {
        var encoder = FromScratch("cannot be exported to ONNX (mlContext.Model.ConvertToOnnx)");
        var g = new OnnxGraphWriter(context, Host, nameof(SelfAttentionFeaturizingTransformer));
        var ids = g.TokenIds(TokenIdsColumnName, GetTokenizer().Save);
        var (vectors, weights) = encoder.Export(g, ids, _columns.TokenWeights is null ? null : _columns.TokenWeightsSource);
        var columns = _columns.Outputs.Columns(OutputSize);
        g.Output(columns[0].Name, columns[0].Type, vectors);
        if (weights is not null)
            g.Output(columns[1].Name, columns[1].Type, weights);
    }

    // The encoder trained from scratch; a pretrained one (the obsolete PretrainedModelPath) is refused, naming the option.
    private FromScratchEncoder FromScratch(string refused) => _encoder as FromScratchEncoder
        ?? throw Host.Except($"{nameof(SelfAttentionFeaturizingTransformer)} holding a pretrained encoder (the obsolete PretrainedModelPath) {refused}. "
            + "Use mlContext.Transforms.Text.ApplyPretrainedEncoder for pretrained encoders, or train the featurizer from scratch (PretrainedModelPath = null).");
}
