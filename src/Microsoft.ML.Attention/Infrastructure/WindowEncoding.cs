using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The one encode path of the text encoders (the featurizer trained from scratch and the pretrained encoder): texts
/// read as windows of token ids, grouped by padded tokens and encoded on <see cref="ConcurrentGroups"/>, a text's
/// window vectors averaged, then the token weights each window's pieces received, in order.
/// </summary>
internal static class WindowEncoding
{
    /// <summary>
    /// The forward pass of one group: its windows padded into a batch, and whether the attention weights are needed →
    /// one pooled vector per window [windows, size] and, when asked for, each layer's attention weights.
    /// </summary>
    public delegate (Tensor WindowVectors, IReadOnlyList<Tensor> LayerWeights) Forward(TokenBatch batch, bool needWeights);

    /// <summary>
    /// Vectors of <paramref name="texts"/> (each a text's windows of ids) and, with <paramref name="tokenWeights"/>, the
    /// attention each of its pieces received: per window, the positions after the <paramref name="leading"/> special
    /// tokens and before the <paramref name="trailing"/> ones. <paramref name="textVectors"/> may change the averaged
    /// vectors (normalization); <paramref name="nonFinite"/>, given the text and the value, makes the error for a vector
    /// holding NaN or infinity.
    /// </summary>
    public static (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<int[][]> texts, int size, int tokenBudget, int padding,
        Forward forward, TokenAttentionSource? tokenWeights, int leading, int trailing,
        Func<Tensor, Tensor>? textVectors = null, Func<int, float, Exception>? nonFinite = null)
    {
        var vectors = new float[texts.Count][];
        var weights = tokenWeights is null ? null : new float[texts.Count][];
        var items = texts.Select(t => (t.Length, t.Max(w => w.Length))).ToArray();
        ConcurrentGroups.ForEach(PaddedGroups.Split(items, tokenBudget).ToArray(), group =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var members = group.Select(i => texts[i]).ToArray();
            using var batch = new TokenBatch(members.SelectMany(m => m).ToArray(), padding);
            var (pooled, layerWeights) = forward(batch, tokenWeights is not null);
            var averaged = Average(pooled, members.Select(m => m.Length).ToArray());
            var values = (textVectors is null ? averaged : textVectors(averaged)).contiguous().data<float>().ToArray();
            if (nonFinite is not null && FiniteWeights.IndexOfNonFinite(values) is var bad and >= 0)
                throw nonFinite(group[bad / size], values[bad]);
            var received = tokenWeights is null ? null
                : ReceivedAttention.PerToken(tokenWeights == TokenAttentionSource.LastLayer ? new[] { layerWeights[^1] } : layerWeights, batch.Mask);
            int row = 0;
            for (int k = 0; k < members.Length; k++)
            {
                vectors[group[k]] = values.AsSpan(k * size, size).ToArray();
                var pieces = received is null ? null : new List<float>();
                foreach (var window in members[k])
                {
                    pieces?.AddRange(received.AsSpan(row * batch.Length + leading, window.Length - leading - trailing).ToArray());
                    row++;
                }
                if (weights is not null)
                    weights[group[k]] = pieces!.ToArray();
            }
        });
        return (vectors, weights);
    }

    /// <summary>
    /// Window vectors [windows, size] → text vectors [texts, size]: each text's windows (consecutive rows, counted by
    /// <paramref name="windowsPerText"/>) averaged. Differentiable, so training goes through it.
    /// </summary>
    public static Tensor Average(Tensor windowVectors, IReadOnlyList<int> windowsPerText)
    {
        if (windowsPerText.All(count => count == 1))
            return windowVectors;
        using var scope = torch.NewDisposeScope();
        var rows = new Tensor[windowsPerText.Count];
        long start = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            rows[k] = windowVectors.narrow(0, start, windowsPerText[k]).mean(new long[] { 0 });
            start += windowsPerText[k];
        }
        return scope.MoveToOuter(torch.stack(rows));
    }
}
