using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// Token ids [B, T] (position 0 holds the classification token) → token states [B, T, width] → one vector per text.
/// Token embeddings plus positions, then Transformer encoder layers (or the lightweight attention layer), a final
/// layer norm, pooling over the text's tokens, and an optional projection.
/// </summary>
internal sealed class SelfAttentionEncoder : nn.Module
{
    private readonly FeaturizerArchitecture _architecture;
    private readonly SequencePooling _pooling;

    private readonly Embedding token_embedding;
    private readonly Embedding? position_embedding;
    private readonly ModuleList<EncoderLayer>? layers;
    private readonly LightweightAttention? lightweight;
    private readonly LayerNorm final_norm;
    private readonly AttentionLayer? pooling_attention;
    private readonly Linear? projection;
    private readonly FitDropout dropout;

    public SelfAttentionEncoder(FeaturizerArchitecture architecture) : base(nameof(SelfAttentionEncoder))
    {
        _architecture = architecture;
        var width = architecture.Width;
        token_embedding = nn.Embedding(architecture.VocabularySize, width, padding_idx: 0);
        if (architecture.Positions == PositionEncoding.Learned)
            position_embedding = nn.Embedding(architecture.MaximumTokens, width);
        if (architecture.Variant == SelfAttentionVariant.Encoder)
            layers = new ModuleList<EncoderLayer>(Enumerable.Range(0, architecture.NumberOfLayers)
                .Select(_ => new EncoderLayer(width, architecture.NumberOfHeads, architecture.FeedForwardSize, architecture.Dropout)).ToArray());
        else
            lightweight = new LightweightAttention(width);
        final_norm = nn.LayerNorm(width);
        if (architecture.Pooling == PoolingMode.Attention)
            pooling_attention = AttentionLayer.Create(AttentionScoreFunction.Location, AttentionDistributionKind.Soft, 0, width, width);
        if (architecture.OutputSize > 0)
            projection = nn.Linear(width, architecture.OutputSize);
        dropout = new FitDropout(architecture.Dropout);
        _pooling = new SequencePooling(architecture.Pooling, pooling_attention is null ? null : new[] { pooling_attention });
        RegisterComponents();
    }

    public FeaturizerArchitecture Architecture => _architecture;

    /// <summary>The token embedding matrix [vocabulary, width], for loading pretrained vectors.</summary>
    public Tensor EmbeddingWeight => token_embedding.weight!;

    /// <summary>
    /// Encodes ids [B, T] with mask [B, T] (true at real tokens, including the classification token at 0).
    /// Returns the states [B, T, width] and, when asked for, each layer's attention weights [B, heads, T, T] (an empty
    /// list otherwise, which lets attention run in libtorch's fused kernel).
    /// </summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Encode(Tensor ids, Tensor mask, bool needWeights = false)
    {
        using var scope = torch.NewDisposeScope();
        var length = ids.shape[1];
        var x = token_embedding.call(ids).add(Positions(length, ids.device), Scalars.One);
        x = dropout.call(x);
        var window = _architecture.LocalHalfWidth > 0 ? Masking.SlidingWindow(length, _architecture.LocalHalfWidth, ids.device) : null;
        var weights = new List<Tensor>();
        if (layers is not null)
        {
            foreach (var layer in layers)
            {
                var (output, layerWeights) = layer.Forward(x, mask, window, needWeights);
                x = output;
                if (layerWeights is not null)
                    weights.Add(layerWeights);
            }
        }
        else
        {
            var (output, layerWeights) = lightweight!.Forward(x, mask, window, needWeights);
            x = output;
            if (layerWeights is not null)
                weights.Add(layerWeights);
        }
        var states = final_norm.call(x).MoveToOuterDisposeScope();
        return (states, weights.Select(w => w.MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>One vector per text [B, PooledSize] from the states, pooling over the text's tokens (not the classification token).</summary>
    public Tensor Pool(Tensor states, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var content = mask.clone();
        content[TensorIndex.Colon, 0] = torch.tensor(false);
        // The first token is the classification token itself; the other poolings read only the text's tokens.
        var (pooled, _) = _pooling.Pool(states, content);
        if (projection is not null)
            pooled = projection.call(pooled);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Encode"/> then <see cref="Pool"/> in an exported graph, for windows of exactly
    /// <see cref="FeaturizerArchitecture.MaximumTokens"/> tokens: ids int64 [B, T] (the classification token at 0, 0 at
    /// padding) and mask bool [B, T] give the vectors [B, PooledSize] and, when <paramref name="tokenWeights"/> is given,
    /// the attention each position received [B, T] (<see cref="ReceivedAttention"/>; null otherwise).
    /// </summary>
    public (string Vectors, string? TokenWeights) Export(ExportGraph g, string ids, string mask, TokenAttentionSource? tokenWeights)
    {
        using var scope = torch.NewDisposeScope();
        var length = _architecture.MaximumTokens;
        string positions;
        using (torch.no_grad())
        using (var table = Positions(length, torch.CPU))
            positions = g.Weight(table);
        var x = g.Add(g.Op("Gather", new[] { g.Weight(token_embedding.weight!), ids }, ("axis", 0L)), positions);
        var allowed = g.Unsqueeze(mask, 1, 2);                                                                  // [B, 1, 1, T]
        if (_architecture.LocalHalfWidth > 0)
        {
            using var window = Masking.SlidingWindow(length, _architecture.LocalHalfWidth);
            allowed = g.Op("And", new[] { allowed, g.Mask(window) });                                           // [B, 1, T, T]
        }
        var weights = new List<string>();
        if (layers is not null)
        {
            foreach (var layer in layers)
            {
                var (output, layerWeights) = layer.Export(g, x, allowed);
                x = output;
                weights.Add(layerWeights);
            }
        }
        else
        {
            var (output, layerWeights) = lightweight!.Export(g, x, g.Squeeze(allowed, 1));
            x = output;
            weights.Add(layerWeights);
        }
        var states = EncoderLayer.LayerNorm(g, final_norm, x);
        // As Pool: the text's tokens, not the classification token at 0.
        var content = g.Op("And", new[] { mask, g.Op("Greater", new[] { g.Positions(mask, 1), g.Scalar(0f) }) });
        var (pooled, _) = _pooling.Export(g, states, content, null, _architecture.Width);
        if (projection is not null)
            pooled = g.Linear(pooled, projection.weight!, projection.bias);
        if (tokenWeights is null)
            return (pooled, null);
        var read = tokenWeights == TokenAttentionSource.LastLayer ? new[] { weights[^1] } : weights.ToArray();
        return (pooled, ReceivedAttention.Export(g, read, mask));
    }

    private Tensor Positions(long length, Device device)
    {
        if (position_embedding is not null)
            return position_embedding.call(Scalars.Range(length, ScalarType.Int64, device)).unsqueeze(0);
        // Sinusoidal: even dimensions sin(p / 10000^(i/d)), odd ones cos of the same angle.
        var width = _architecture.Width;
        var positions = Scalars.Range(length, ScalarType.Float32, device).unsqueeze(1);
        using Scalar start = 0.ToScalar(), end = width.ToScalar(), step = 2.ToScalar(), frequencyScale = (-Math.Log(10000.0) / width).ToScalar();
        var frequencies = torch.exp(torch.arange(start, end, step, dtype: ScalarType.Float32, device: device) * frequencyScale);
        var angles = positions * frequencies;
        var table = torch.zeros(length, width, device: device);
        table[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)] = angles.sin();
        table[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)] = angles.cos()[TensorIndex.Colon, TensorIndex.Slice(0, width / 2)];
        return table.unsqueeze(0);
    }
}
