using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using TorchSharp;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// The featurizer's own encoder, trained by <c>Fit</c> from scratch: the text settings, the training vocabulary and a
/// <see cref="SelfAttentionEncoder"/>. Scoring reads texts in groups of similar length.
/// </summary>
internal sealed class FromScratchEncoder : ITextEncoder
{
    private const string ModuleStream = "Encoder";

    // Tokens in the padded block of one forward pass when scoring; see PaddedGroups. Small blocks keep the attention
    // weights [rows, heads, T, T] in cache when they are materialized; with the fused kernel the size barely matters
    // (measured in docs/benchmarks.md, "Measurements behind the code").
    private const int ScoringTokenBudget = 2048;

    private readonly TextPreprocessing _text;
    private readonly Vocabulary _vocabulary;
    private readonly FeaturizerArchitecture _architecture;
    private readonly SelfAttentionEncoder _module;
    private readonly TokenWindowEncoder _windows;

    public FromScratchEncoder(TextPreprocessing text, Vocabulary vocabulary, FeaturizerArchitecture architecture, SelfAttentionEncoder module)
    {
        _text = text;
        _vocabulary = vocabulary;
        _architecture = architecture;
        _module = module;
        _windows = TokenWindowEncoder.Create(text, vocabulary, architecture.ClassificationTokenId);
    }

    public torch.nn.Module Module => _module;

    public SelfAttentionEncoder Encoder => _module;

    public Vocabulary Vocabulary => _vocabulary;

    public int OutputSize => _architecture.PooledSize;

    // *** Binary format ***
    // text settings (see TextPreprocessing)
    // stream "Vocabulary": the vocabulary (see Vocabulary)
    // stream "Encoder": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
    public void Save(ModelSaveContext ctx)
    {
        ModelFormat.WriteConfig(ctx.Writer, _text);
        VocabularyModel.Save(ctx, _vocabulary);
        ModuleCheckpoint.Save(ctx, ModuleStream, _module, _architecture);
    }

    public static FromScratchEncoder Load(ModelLoadContext ctx)
    {
        var text = TextPreprocessing.Read(ctx.Reader);
        var vocabulary = VocabularyModel.Load(ctx);
        var (architecture, module) = ModuleCheckpoint.Load(ctx, ModuleStream, "encoder architecture", (FeaturizerArchitecture a) =>
        {
            // Ids beyond the embedding would fail only at the first text scored.
            if (a.VocabularySize != vocabulary.Count + FeaturizerArchitecture.ExtraTokenCount)
                throw ModelFormat.Error("encoder architecture", $"VocabularySize {a.VocabularySize} must be the saved vocabulary's "
                    + $"{vocabulary.Count} words and {FeaturizerArchitecture.ExtraTokenCount} extra tokens.");
            return new SelfAttentionEncoder(a);
        });
        return new FromScratchEncoder(text, vocabulary, architecture, module);
    }

    /// <summary>The tokenizer of the ONNX export's token ids: the same windows as <see cref="Encode"/>, without the classification token.</summary>
    public FeaturizerTokenizer Tokenizer() => new FeaturizerTokenizer(_text, _vocabulary);

    /// <summary>
    /// <see cref="Encode"/> in an exported graph. <paramref name="tokenIds"/> int64 [N, windows × (MaximumTokens - 1)] holds
    /// each text's windows as <see cref="FeaturizerTokenizer"/> lays them out (0 at padding, a padding window all 0).
    /// Returns the vectors [N, OutputSize] (the mean over the text's windows: the first, and every one holding a token)
    /// and, when asked for, the token weights [N, windows × (MaximumTokens - 1)] at the positions of the ids (0 at padding).
    /// </summary>
    public (string Vectors, string? TokenWeights) Export(ExportGraph g, string tokenIds, TokenAttentionSource? tokenWeights)
    {
        long width = _architecture.MaximumTokens - 1;
        var ids = g.Op("Reshape", new[] { g.Op("Cast", new[] { tokenIds }, ("to", 7L)), g.Constant(new[] { 0L, -1L, width }) });  // [N, S, W]
        var words = g.Op("Reshape", new[] { ids, g.Constant(new[] { -1L, width }) });                                          // [N x S, W]
        var first = g.Op("Slice", new[] { words, g.Constant(new[] { 0L }, 1), g.Constant(new[] { 1L }, 1), g.Constant(new[] { 1L }, 1) });
        var classification = g.Add(g.Mul(first, g.Constant(new[] { 0L })), g.Constant(new long[] { _architecture.ClassificationTokenId }));
        var windows = g.Op("Concat", new[] { classification, words }, ("axis", 1L));                                          // [N x S, T]
        var (vectors, received) = _module.Export(g, windows, g.Op("Greater", new[] { windows, g.Constant(new[] { 0L }) }), tokenWeights);

        // A window is the text's when it is its first (an empty text has one, without tokens) or holds a token.
        var tokens = g.ReduceSum(g.ToFloat(g.Op("Greater", new[] { ids, g.Constant(new[] { 0L }) })), -1, keepDims: false); // [N, S]
        var isFirst = g.Op("Equal", new[] { g.Positions(ids, 1), g.Scalar(0f) });
        var own = g.Op("Or", new[] { g.Op("Greater", new[] { tokens, g.Scalar(0f) }), isFirst });
        var perWindow = g.Op("Reshape", new[] { vectors, ShapeOf(g, ids, 2) });                                                // [N, S, D]
        var mean = MaskedPooling.ExportMean(g, perWindow, own);
        if (received is null)
            return (mean, null);
        var weights = g.Op("Slice", new[] { received, g.Constant(new[] { 1L }, 1), g.Constant(new[] { long.MaxValue }, 1), g.Constant(new[] { 1L }, 1) });
        return (mean, g.Op("Reshape", new[] { weights, ShapeOf(g, ids, 1) }));                                                // [N, S x W]
    }

    // The first axes of x's shape, then -1: the shape that folds the rest into one axis.
    private static string ShapeOf(ExportGraph g, string x, long axes)
    {
        var leading = g.Op("Slice", new[] { g.Op("Shape", new[] { x }), g.Constant(new[] { 0L }, 1), g.Constant(new[] { axes }, 1) });
        return g.Op("Concat", new[] { leading, g.Constant(new[] { -1L }, 1) }, ("axis", 0L));
    }

    /// <summary>The windows of token ids <see cref="Encode"/> reads of <paramref name="text"/>, each starting with the classification token.</summary>
    public int[][] Windows(string? text) => _windows.Encode(text).Windows;

    public string[] TokensRead(string? text)
    {
        var tokens = _windows.Tokens(text);
        return _windows.ReadPositions(tokens.Count).Select(p => tokens[p].Text).ToArray();
    }

    public (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<string?> texts, TokenAttentionSource? tokenWeights)
    {
        bool needWeights = tokenWeights.HasValue;
        var windows = texts.Select(_windows.Encode).ToArray();
        var vectors = new float[texts.Count][];
        var weights = needWeights ? new float[texts.Count][] : null;
        int size = OutputSize;
        var items = windows.Select(w => (w.Windows.Length, w.Windows.Max(x => x.Length))).ToArray();
        ConcurrentGroups.ForEach(PaddedGroups.Split(items, ScoringTokenBudget).ToArray(), group =>
        {
            using var scope = torch.NewDisposeScope();
            var members = group.Select(i => windows[i]).ToArray();
            using var batch = new TokenBatch(members.SelectMany(m => m.Windows).ToArray());
            var (states, layerWeights) = _module.Encode(batch.Ids, batch.Mask, needWeights);
            var pooled = _module.Pool(states, batch.Mask).contiguous().data<float>().ToArray();
            var received = needWeights
                ? ReceivedAttention.PerToken(tokenWeights == TokenAttentionSource.LastLayer ? new[] { layerWeights[^1] } : layerWeights, batch.Mask)
                : null;
            int row = 0;
            for (int k = 0; k < members.Length; k++)
            {
                var vector = new float[size];
                var pieces = received is null ? null : new List<float>();
                foreach (var window in members[k].Windows)
                {
                    // A long text's vector is the mean of its windows' vectors.
                    for (int d = 0; d < size; d++)
                        vector[d] += pooled[row * size + d] / members[k].Windows.Length;
                    pieces?.AddRange(received.AsSpan(row * batch.Length + 1, window.Length - 1).ToArray());
                    row++;
                }
                vectors[group[k]] = vector;
                if (weights is not null)
                    weights[group[k]] = pieces!.ToArray();
            }
        });
        return (vectors, weights);
    }
}
