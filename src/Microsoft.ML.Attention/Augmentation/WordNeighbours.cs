using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Attention.Augmentation;

/// <summary>
/// Each word's nearest words by the cosine of their vectors (the teacher's word vectors): the candidates of a word swap.
/// A word without a vector has none and is never swapped.
/// </summary>
internal sealed class WordNeighbours
{
    // Rows of the similarity matrix computed at once: bounds the temporary to this many rows of the vocabulary's width.
    private const int Chunk = 512;

    private readonly Dictionary<string, IReadOnlyList<string>> _near;

    private WordNeighbours(Dictionary<string, IReadOnlyList<string>> near) => _near = near;

    /// <summary>No word has neighbours (swaps disabled).</summary>
    public static WordNeighbours None { get; } = new(new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The number of words that have neighbours.</summary>
    public int Count => _near.Count;

    /// <summary>The neighbours of a lower-cased word, nearest first; empty when it has no vector.</summary>
    public IReadOnlyList<string> Of(string word) => _near.TryGetValue(word, out var near) ? near : Array.Empty<string>();

    /// <summary>
    /// The <paramref name="count"/> nearest other words of each word, among <paramref name="words"/>, by the cosine of
    /// <paramref name="vectors"/> (one per word, any norm; a zero vector has no neighbours and is no one's).
    /// </summary>
    public static WordNeighbours Nearest(IReadOnlyList<string> words, IReadOnlyList<double[]> vectors, int count)
    {
        var near = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var usable = Enumerable.Range(0, words.Count).Where(i => vectors[i].Any(v => v != 0)).ToArray();
        int k = Math.Min(count, usable.Length - 1);
        if (k <= 0)
            return new WordNeighbours(near);
        int d = vectors[0].Length;
        using var scope = torch.NewDisposeScope();
        var all = torch.tensor(usable.SelectMany(i => vectors[i].Select(v => (float)v)).ToArray(), new long[] { usable.Length, d });
        all = torch.nn.functional.normalize(all, dim: 1);
        // An explicit Scalar, disposed here: a temporary one can be finalized while libtorch reads it (ScalarLifetimeTests).
        using var minusInfinity = float.NegativeInfinity.ToScalar();
        for (int start = 0; start < usable.Length; start += Chunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            int rows = Math.Min(Chunk, usable.Length - start);
            var similarity = all.narrow(0, start, rows).matmul(all.t());
            // A word is not its own neighbour.
            similarity.narrow(1, start, rows).diagonal().fill_(minusInfinity);
            var (_, indices) = similarity.topk(k, dim: 1);
            var flat = indices.data<long>().ToArray();
            for (int r = 0; r < rows; r++)
                near[words[usable[start + r]]] = flat.Skip(r * k).Take(k).Select(j => words[usable[j]]).ToArray();
        }
        return new WordNeighbours(near);
    }
}
