using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(PretrainedEncoderTransformer), null, typeof(SignatureLoadModel),
    "Pretrained Text Encoder", PretrainedEncoderTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(PretrainedEncoderTransformer), null, typeof(SignatureLoadRowMapper),
    "Pretrained Text Encoder", PretrainedEncoderTransformer.LoaderSignature)]

namespace Microsoft.ML.Attention;

/// <summary>
/// Turns text into sentence embeddings with a pretrained BERT, DistilBERT or XLM-RoBERTa encoder, frozen or fine-tuned, for any ML.NET
/// trainer or as an embedding generator (<c>AsEmbeddingGenerator</c>). Created by <see cref="PretrainedEncoderEstimator"/>.
/// </summary>
/// <remarks>
/// <para>Input: a text column (String; null or empty text gives a valid vector). Output: a vector of
/// <see cref="OutputSize"/> floats and, when a token-weights column was named, the share of attention each word piece
/// received (a variable-length vector, in the order of <see cref="GetTokens"/>).</para>
/// <para><c>mlContext.Model.Save</c> stores the whole encoder (configuration, vocabulary, weights) in the model zip,
/// which loads without the original model files.</para>
/// <para><c>mlContext.Model.ConvertToOnnx</c> exports it with a graph that starts at token ids (the input
/// <see cref="TokenIdsColumnName"/>), which <see cref="GetTokenizer"/> makes from text without TorchSharp: WordPiece has
/// no exact equivalent in standard ONNX operators.</para>
/// </remarks>
public sealed class PretrainedEncoderTransformer : AttentionTransformerBase
{
    // At most 24 characters: the model header stores it in a fixed field.
    internal const string LoaderSignature = "PretrainedTextEncoder";

    // Version history: see ModelFormat (the first models of this transformer are of format 0x00010003).
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("PRETRENC", LoaderSignature, typeof(PretrainedEncoderTransformer));

    private protected override int ScoringBatchSize => TextEncoderColumns.ScoringBatchSize;

    private readonly TextEncoderColumns _columns;
    private readonly PretrainedEncoder _encoder;

    /// <summary>Name of the input text column.</summary>
    public string InputColumnName => _columns.Input;

    /// <summary>Name of the output vector column.</summary>
    public string OutputColumnName => _columns.Output;

    /// <summary>Size of the output vector: the model's hidden size.</summary>
    public int OutputSize => _encoder.Dimension;

    /// <summary>Tokens per window, counting the start and end tokens ([CLS] and [SEP], or &lt;s&gt; and &lt;/s&gt;), as taken from the options or the model.</summary>
    public int MaximumTokens => _encoder.MaxTokens;

    /// <summary>How the token states become the text's vector, as taken from the options or the model.</summary>
    public PoolingMode Pooling => _encoder.Pooling;

    /// <summary>Whether the vectors are L2-normalized.</summary>
    public bool Normalize => _encoder.Normalize;

    /// <summary>
    /// The word pieces of <paramref name="text"/> whose attention the token-weights column reports, in the same order
    /// ("play", "##ing"; "[UNK]" for unknown characters; "▁jou", "er" with a SentencePiece tokenizer), after the
    /// long-text rule, without the start and end tokens.
    /// </summary>
    /// <param name="text">A text, as in the input column; null or empty has no tokens.</param>
    public IReadOnlyList<string> GetTokens(string? text) => _encoder.TokensRead(text);

    /// <summary>
    /// The input of the ONNX export (<c>mlContext.Model.ConvertToOnnx</c>), which starts at token ids rather than text:
    /// the text column's name followed by "TokenIds", an Int64 vector [texts, tokens] that an application scoring the
    /// exported graph fills with <see cref="PretrainedTokenizer.TokenIds(IReadOnlyList{string}, out int)"/> (rows padded
    /// with -1). The export declares it as a graph input (or uses the column when the data given to
    /// <c>ConvertToOnnx</c> has one of this name).
    /// </summary>
    public string TokenIdsColumnName => _columns.Input + "TokenIds";

    /// <summary>
    /// This encoder's text front end (WordPiece, [CLS] and [SEP], the long-text rule) as a tokenizer that needs no
    /// TorchSharp: the token ids of the ONNX export's input.
    /// </summary>
    public PretrainedTokenizer GetTokenizer() => _encoder.Tokenizer;

    internal PretrainedEncoderTransformer(IHostEnvironment env, TextEncoderColumns columns, PretrainedEncoder encoder)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(PretrainedEncoderTransformer)), encoder.Model)
    {
        _columns = columns;
        _encoder = encoder;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    // Every load error names the model file and the component's entry.
    private static PretrainedEncoderTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelFormat.Load(ctx, () => Read(env, ctx));

    private static PretrainedEncoderTransformer Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ModelFormat.CheckVersion(ctx, GetVersionInfo(), "pretrained encoder");

        // *** Binary format ***
        // the columns (see TextEncoderColumns)
        // the encoder (see PretrainedEncoder.Save)
        var columns = TextEncoderColumns.Load(ctx);
        ModelFormat.CheckAtEnd(ctx, "pretrained encoder");
        return new PretrainedEncoderTransformer(env, columns, PretrainedEncoder.Load(ctx));
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***: see Create.
        _columns.Save(ctx);
        _encoder.Save(ctx);
    }

    // The graph starts at token ids: WordPiece has no exact standard ONNX equivalent.
    private protected override void CheckOnnxExport() => _encoder.CheckOnnxExport(Host, nameof(PretrainedEncoderTransformer));

    // The token weights come out [texts, tokens - 2], 0 after a text's last word piece (its Transform column holds the pieces only).
    private protected override void SaveAsOnnx(OnnxContext context)
    {
        var g = new OnnxGraphWriter(context, Host, nameof(PretrainedEncoderTransformer));
        var ids = g.TokenIds(TokenIdsColumnName, _encoder.Tokenizer.Save);
        var (vectors, tokenWeights) = _encoder.Export(g, ids, _columns.TokenWeights is null ? null : _columns.TokenWeightsSource);
        g.Output(_columns.Output, new VectorDataViewType(NumberDataViewType.Single, OutputSize), vectors);
        if (_columns.TokenWeights is not null)
            g.Output(_columns.TokenWeights, new VectorDataViewType(NumberDataViewType.Single), tokenWeights!);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema) => _columns.Bind(Host, inputSchema, _encoder);
}
