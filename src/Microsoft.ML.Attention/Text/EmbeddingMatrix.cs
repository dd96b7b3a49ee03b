using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Initial embedding weights for a <see cref="Vocabulary"/>, row-major: row <c>id</c> holds the vector of word
/// <c>id</c>.
/// </summary>
/// <param name="Values">The weights, <c>RowCount * Dimension</c> values.</param>
/// <param name="RowCount">The number of rows, equal to the vocabulary's <see cref="Vocabulary.Count"/>.</param>
/// <param name="Dimension">The length of each row.</param>
/// <param name="FoundCount">How many vocabulary words (padding and unknown excluded) had a pretrained vector.</param>
internal sealed record EmbeddingMatrix(float[] Values, int RowCount, int Dimension, int FoundCount)
{
    /// <summary>The share of vocabulary words that had a pretrained vector, for logging; 0 for an empty vocabulary.</summary>
    public double Coverage => RowCount > Vocabulary.FirstWordId ? (double)FoundCount / (RowCount - Vocabulary.FirstWordId) : 0;

    /// <summary>
    /// Builds the matrix: a word's row is its pretrained vector, looked up as written and then lower-cased;
    /// rows without one (the unknown id included) are drawn uniformly from [-<paramref name="randomScale"/>,
    /// <paramref name="randomScale"/>]; the padding row is zero so padding adds nothing.
    /// </summary>
    /// <param name="vocabulary">The vocabulary whose ids index the rows.</param>
    /// <param name="vectors">The pretrained vectors.</param>
    /// <param name="seed">The seed of the random rows, so that training is reproducible.</param>
    /// <param name="randomScale">The bound of the random rows.</param>
    public static EmbeddingMatrix Build(Vocabulary vocabulary, PretrainedVectors vectors, int seed, float randomScale = 0.1f)
    {
        if (randomScale < 0 || !float.IsFinite(randomScale))
            throw new ArgumentOutOfRangeException(nameof(randomScale), randomScale, "Must be a finite, non-negative number.");

        int dimension = vectors.Dimension;
        long size = (long)vocabulary.Count * dimension;
        if (size > Array.MaxLength)
            throw new System.IO.InvalidDataException($"An embedding matrix of {vocabulary.Count} words x {dimension} components exceeds the {Array.MaxLength} values an array holds: "
                + "lower the vocabulary's maximum size or use vectors of fewer components.");
        var values = new float[size];
        var random = new Random(seed);
        int found = 0;
        for (int id = Vocabulary.UnknownId; id < vocabulary.Count; id++)
        {
            Span<float> row = values.AsSpan((int)((long)id * dimension), dimension);
            if (id != Vocabulary.UnknownId && TryFind(vectors, vocabulary.GetWord(id), out float[]? vector))
            {
                vector.CopyTo(row);
                found++;
            }
            else
            {
                for (int j = 0; j < dimension; j++)
                    row[j] = (float)((random.NextDouble() * 2 - 1) * randomScale);
            }
        }
        return new EmbeddingMatrix(values, vocabulary.Count, dimension, found);
    }

    /// <summary>
    /// A filter for <see cref="PretrainedVectors.Load"/> that keeps exactly the file words <see cref="Build"/> can
    /// use for <paramref name="vocabulary"/>: its words as written and lower-cased.
    /// </summary>
    public static Func<string, bool> WordFilter(Vocabulary vocabulary)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        for (int id = Vocabulary.UnknownId + 1; id < vocabulary.Count; id++)
        {
            string word = vocabulary.GetWord(id);
            wanted.Add(word);
            wanted.Add(word.ToLowerInvariant());
        }
        return wanted.Contains;
    }

    private static bool TryFind(PretrainedVectors vectors, string word, [NotNullWhen(true)] out float[]? vector) =>
        vectors.TryGet(word, out vector) || vectors.TryGet(word.ToLowerInvariant(), out vector);
}
