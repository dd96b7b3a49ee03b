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
    private const string ModuleStream = "Encoder";

    // Version history: see ModelFormat.
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("SELFATTN", LoaderSignature, typeof(SelfAttentionFeaturizingTransformer));

    // Tokens in the padded block of one forward pass when scoring; see PaddedGroups. Small blocks kept the attention
    // weights [rows, heads, T, T] in cache: featurizing Debian descriptions with 2 workers ran at about 900 docs/s
    // with 16,384 tokens, 1,500-1,700 with 8,192 and 1,700-1,950 with 1,024 to 2,048 (scoring pools of 2,048 rows).
    // With the fused attention kernel (no weights materialized) 1,024 to 3,072 tokens are alike (2,350-2,500 docs/s).
    private const int ScoringTokenBudget = 2048;

    // Position of the token-weights column among the outputs (after the vector), when it exists.
    private const int TokenWeightsOutput = 1;

    // Transform reads this many rows ahead: a larger pool gives groups of more similar length (less padding) and
    // enough groups to keep the concurrent workers busy (with 16,384 tokens: 760-870 docs/s from 256 rows, 1,100-1,200 from 2,048).
    private protected override int ScoringBatchSize => 2048;

    private readonly string _input;
    private readonly string _output;
    private readonly string? _tokenWeights;
    private readonly TokenAttentionSource _tokenWeightsSource;
    private readonly TextPreprocessing _text;
    private readonly Vocabulary _vocabulary;
    private readonly TokenWindowEncoder _encoder;
    private readonly FeaturizerArchitecture _architecture;
    private readonly SelfAttentionEncoder _module;

    /// <summary>Name of the input text column.</summary>
    public string InputColumnName => _input;

    /// <summary>Name of the output vector column.</summary>
    public string OutputColumnName => _output;

    /// <summary>Size of the output vector.</summary>
    public int OutputSize => _architecture.PooledSize;

    internal SelfAttentionFeaturizingTransformer(IHostEnvironment env, string output, string input, string? tokenWeights,
        TokenAttentionSource tokenWeightsSource, TextPreprocessing text, Vocabulary vocabulary, FeaturizerArchitecture architecture,
        SelfAttentionEncoder module)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SelfAttentionFeaturizingTransformer)), module)
    {
        _output = output;
        _input = input;
        _tokenWeights = tokenWeights;
        _tokenWeightsSource = tokenWeightsSource;
        _text = text;
        _vocabulary = vocabulary;
        _architecture = architecture;
        _encoder = TokenWindowEncoder.Create(text, vocabulary, architecture.ClassificationTokenId);
        _module = module;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    private static SelfAttentionFeaturizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ModelFormat.CheckVersion(ctx, GetVersionInfo(), "self-attention featurizer");

        // *** Binary format ***
        // int: id of the output column name
        // int: id of the input column name
        // int: id of the token weights column name, or -1
        // int: token attention source
        // text settings (see TextPreprocessing)
        // stream "Vocabulary": the vocabulary (see Vocabulary)
        // stream "Encoder": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        var output = ctx.LoadNonEmptyString();
        var input = ctx.LoadNonEmptyString();
        var tokenWeights = ctx.LoadStringOrNull();
        var source = (TokenAttentionSource)ctx.Reader.ReadInt32();
        var text = ModelFormat.ReadConfig<TextPreprocessing>(ctx.Reader, TextPreprocessing.Part);
        var vocabulary = VocabularyModel.Load(ctx);
        var (architecture, module) = ModuleCheckpoint.Load(ctx, ModuleStream, "encoder architecture",
            (FeaturizerArchitecture a) => new SelfAttentionEncoder(a));
        return new SelfAttentionFeaturizingTransformer(env, output, input, tokenWeights, source, text, vocabulary, architecture, module);
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***
        // int: id of the output column name
        // int: id of the input column name
        // int: id of the token weights column name, or -1
        // int: token attention source
        // text settings (see TextPreprocessing)
        // stream "Vocabulary": the vocabulary (see Vocabulary)
        // stream "Encoder": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        ctx.SaveNonEmptyString(_output);
        ctx.SaveNonEmptyString(_input);
        ctx.SaveStringOrNull(_tokenWeights);
        ctx.Writer.Write((int)_tokenWeightsSource);
        ModelFormat.WriteConfig(ctx.Writer, _text);
        VocabularyModel.Save(ctx, _vocabulary);
        ModuleCheckpoint.Save(ctx, ModuleStream, _module, _architecture);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema)
    {
        var text = TextColumn.Find(Host, inputSchema, _input);
        var outputs = new VectorOutputs(_output, _tokenWeights).Columns(OutputSize);
        return new BatchScorer<string?>(new[] { text }, outputs, source => TextColumn.Reader(source, text), Score);
    }

    /// <summary>
    /// Vectors (and token weights) of a batch of texts, in groups of similar length. The token weights are computed
    /// only when that column will be read: without them attention runs in libtorch's fused kernel, about 25% faster.
    /// </summary>
    private Array[] Score(IReadOnlyList<string?> texts, bool[] activeOutputs)
    {
        bool needWeights = _tokenWeights != null && activeOutputs[TokenWeightsOutput];
        var windows = texts.Select(_encoder.Encode).ToArray();
        var vectors = new float[texts.Count][];
        var weights = new float[texts.Count][];
        var items = windows.Select(w => (w.Windows.Length, w.Windows.Max(x => x.Length))).ToArray();
        ConcurrentGroups.ForEach(PaddedGroups.Split(items, ScoringTokenBudget).ToArray(), group =>
        {
            using var scope = torch.NewDisposeScope();
            var members = group.Select(i => windows[i]).ToArray();
            var groupWindows = members.SelectMany(m => m.Windows).ToArray();
            using var batch = new TokenBatch(groupWindows);
            var (states, layerWeights) = _module.Encode(batch.Ids, batch.Mask, needWeights);
            var pooled = _module.Pool(states, batch.Mask).contiguous().data<float>().ToArray();
            var received = needWeights
                ? Core.ReceivedAttention.PerToken(_tokenWeightsSource == TokenAttentionSource.LastLayer ? new[] { layerWeights[^1] } : layerWeights, batch.Mask)
                : null;
            int row = 0;
            for (int k = 0; k < members.Length; k++)
            {
                var vector = new float[OutputSize];
                var tokenWeights = received != null ? new List<float>() : null;
                foreach (var window in members[k].Windows)
                {
                    for (int d = 0; d < OutputSize; d++)
                        vector[d] += pooled[row * OutputSize + d] / members[k].Windows.Length;
                    if (received != null)
                        tokenWeights!.AddRange(received.AsSpan(row * batch.Length + 1, window.Length - 1).ToArray());
                    row++;
                }
                vectors[group[k]] = vector;
                weights[group[k]] = tokenWeights?.ToArray() ?? Array.Empty<float>();
            }
        });
        return _tokenWeights == null ? new Array[] { vectors } : new Array[] { vectors, weights };
    }
}
