using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.TextFeaturization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A pretrained BERT encoder ready to turn texts into sentence vectors: WordPiece tokenization, the long-text rule,
/// the encoder, pooling and (if the model asks for it) L2 normalization. <see cref="Encode(IReadOnlyList{string})"/> is frozen inference:
/// eval mode, no gradients, length-sorted groups, every batch inside a dispose scope.
/// </summary>
internal sealed class PretrainedEncoder : IDisposable
{
    // Padded tokens (rows x longest window) of one forward pass; a window of 256 tokens then goes 16 to a group.
    private const int TokenBudget = 4096;

    public PretrainedEncoder(BertModel model, WordPieceText text, PoolingMode pooling, bool normalize, int maxTokens, LongTextHandling longText)
    {
        if (maxTokens < 3 || maxTokens > model.Config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens,
                $"The maximum tokens per window must be in [3, {model.Config.MaxPositions}] (the model's maximum positions).");
        if (pooling is not (PoolingMode.Mean or PoolingMode.FirstToken or PoolingMode.Max))
            throw new ArgumentException($"A frozen pretrained encoder pools by Mean, FirstToken or Max, not {pooling}.", nameof(pooling));
        Model = model;
        Text = text;
        Pooling = pooling;
        Normalize = normalize;
        MaxTokens = maxTokens;
        LongText = longText;
        Model.eval();
    }

    public BertModel Model { get; }

    public WordPieceText Text { get; }

    public PoolingMode Pooling { get; }

    public bool Normalize { get; }

    public int MaxTokens { get; }

    public LongTextHandling LongText { get; }

    public int Dimension => Model.Config.HiddenSize;

    /// <summary>
    /// Loads a model folder or .onnx file (<see cref="PretrainedModelFiles"/>). The model's own settings (a
    /// sentence-transformers folder's pooling, normalization and maximum sequence length) win over the fallbacks;
    /// <paramref name="maxTokens"/>, when given, must not exceed the model's maximum positions.
    /// </summary>
    public static PretrainedEncoder Load(string path, PoolingMode fallbackPooling = PoolingMode.Mean, bool fallbackNormalize = false,
        int? maxTokens = null, LongTextHandling longText = LongTextHandling.HeadAndTail, string? vocabularyPath = null)
    {
        var files = PretrainedModelFiles.Read(path, vocabularyPath);
        // sentence-transformers caps max_seq_length at the model's positions too; an explicit value beyond them is refused.
        return Create(files, files.Pooling ?? fallbackPooling, files.Pooling is null ? fallbackNormalize : files.Normalize,
            maxTokens ?? Math.Min(files.MaxSequenceLength ?? files.Config.MaxPositions, files.Config.MaxPositions), longText);
    }

    public static PretrainedEncoder Create(PretrainedModelFiles files, PoolingMode pooling, bool normalize, int maxTokens, LongTextHandling longText)
    {
        var text = WordPieceText.Create(files.VocabularyPath, files.LowerCase);
        var model = new BertModel(files.Config);
        try
        {
            BertCheckpoint.Load(model, files.Weights, files.WeightsPath);
            return new PretrainedEncoder(model, text, pooling, normalize, maxTokens, longText);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The windows of a text; null or empty text is one window [CLS] [SEP].</summary>
    public PretrainedTokens Tokenize(string? text)
        => PretrainedTokens.Build(Text.Ids(text), Text.ClassificationId, Text.SeparatorId, MaxTokens, LongText);

    /// <summary>One vector of <see cref="Dimension"/> floats per text.</summary>
    public float[][] Encode(IReadOnlyList<string?> texts) => Encode(texts.Select(Tokenize).ToArray(), null).Vectors;

    /// <summary>
    /// Vectors of tokenized texts and, when <paramref name="tokenWeights"/> is given, the attention each word piece
    /// received (averaged over heads and real queries, and over all layers or the last one), in order, [CLS] and [SEP]
    /// left out; without it attention runs in libtorch's fused kernel. A long text's window vectors are averaged
    /// before normalization.
    /// </summary>
    public (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<PretrainedTokens> texts, TokenAttentionSource? tokenWeights)
    {
        Model.eval();
        var vectors = new float[texts.Count][];
        var weights = tokenWeights is null ? null : new float[texts.Count][];
        var items = texts.Select(t => (t.Windows.Length, t.LongestWindow)).ToArray();
        int hidden = Dimension;
        ConcurrentGroups.ForEach(PaddedGroups.Split(items, TokenBudget).ToArray(), group =>
        {
            using var scope = torch.NewDisposeScope();
            var members = group.Select(i => texts[i]).ToArray();
            using var batch = new TokenBatch(members.SelectMany(m => m.Windows).ToArray());
            var (states, layerWeights) = Model.Forward(batch.Ids, batch.Mask, needWeights: tokenWeights is not null);
            var pooled = SentencePooling.Pool(states, batch.Mask, Pooling);
            // Windows of one text are averaged, then normalized: rows of windows → rows of texts.
            var perText = AverageWindows(pooled, members.Select(m => m.Windows.Length).ToArray());
            if (Normalize)
                perText = SentencePooling.Normalize(perText);
            var values = perText.contiguous().data<float>().ToArray();
            var received = tokenWeights is null ? null
                : ReceivedAttention.PerToken(tokenWeights == TokenAttentionSource.LastLayer ? new[] { layerWeights[^1] } : layerWeights, batch.Mask);
            int row = 0;
            for (int k = 0; k < members.Length; k++)
            {
                vectors[group[k]] = values.AsSpan(k * hidden, hidden).ToArray();
                var pieces = received is null ? null : new List<float>();
                foreach (var window in members[k].Windows)
                {
                    pieces?.AddRange(received.AsSpan(row * batch.Length + 1, window.Length - 2).ToArray());
                    row++;
                }
                if (weights is not null)
                    weights[group[k]] = pieces!.ToArray();
            }
        });
        return (vectors, weights);
    }

    private static Tensor AverageWindows(Tensor pooled, int[] windowCounts)
    {
        if (windowCounts.All(c => c == 1))
            return pooled;
        using var scope = torch.NewDisposeScope();
        var rows = new Tensor[windowCounts.Length];
        long start = 0;
        for (int k = 0; k < windowCounts.Length; k++)
        {
            rows[k] = pooled.narrow(0, start, windowCounts[k]).mean(new long[] { 0 });
            start += windowCounts[k];
        }
        return scope.MoveToOuter(torch.stack(rows));
    }

    public void Dispose() => Model.Dispose();
}
