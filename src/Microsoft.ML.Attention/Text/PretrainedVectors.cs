using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Text;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Word vectors read from a local text file in GloVe, word2vec text or fastText <c>.vec</c> format. Nothing is
/// ever downloaded.
/// </summary>
/// <remarks>
/// Each line is a word followed by its vector components, separated by spaces, in UTF-8. word2vec and fastText
/// files start with a "count dimension" header line, detected as a first line of exactly two integers; GloVe files
/// have none and take their dimension from the first vector. Blank lines are ignored; lines whose fields after the
/// word are not all numbers (including lines with no numbers) are skipped and counted in
/// <see cref="MalformedLineCount"/>; a vector of another dimension, of more than
/// <see cref="VectorFileLine.MaxDimension"/> components, or with a component that is NaN, infinite or beyond
/// <see cref="VectorFileLine.MaxComponent"/> is an error naming the line, since it means the file is not what the
/// caller thinks it is (such a component makes every output of a model trained on it NaN). When a word appears twice
/// the first vector wins.
/// </remarks>
internal sealed class PretrainedVectors
{
    private readonly Dictionary<string, float[]> _vectors;

    private PretrainedVectors(Dictionary<string, float[]> vectors, int dimension, int malformedLineCount)
    {
        _vectors = vectors;
        Dimension = dimension;
        MalformedLineCount = malformedLineCount;
    }

    /// <summary>The number of components of every vector.</summary>
    public int Dimension { get; }

    /// <summary>The number of words loaded (after the keep filter).</summary>
    public int Count => _vectors.Count;

    /// <summary>The number of lines skipped because they could not be parsed.</summary>
    public int MalformedLineCount { get; }

    /// <summary>A copy of the vector of <paramref name="word"/> (exact, case-sensitive match).</summary>
    public bool TryGet(string word, [MaybeNullWhen(false)] out float[] vector)
    {
        if (_vectors.TryGetValue(word, out float[]? stored))
        {
            vector = (float[])stored.Clone();
            return true;
        }
        vector = null;
        return false;
    }

    /// <summary>Vectors given in memory (the words distinct, the vectors of one dimension), as a file would give them.</summary>
    public static PretrainedVectors FromWords(IReadOnlyList<string> words, IReadOnlyList<float[]> vectors)
    {
        var map = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
            map.TryAdd(words[i], vectors[i]);
        return new PretrainedVectors(map, vectors.Count == 0 ? 0 : vectors[0].Length, 0);
    }

    /// <summary>Loads the vectors of a text file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="keep">When given, only words for which it returns true are kept, to save memory.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The vectors have inconsistent dimensions, or the file has none.</exception>
    public static PretrainedVectors Load(string path, Func<string, bool>? keep = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The word-vector file '{path}' does not exist.", path);

        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        int dimension = 0;
        int malformed = 0;
        int lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        for (string? line = reader.ReadLine(); line != null; line = reader.ReadLine())
        {
            lineNumber++;
            string[] fields = VectorFileLine.Fields(line);
            if (fields.Length == 0)
                continue;
            if (lineNumber == 1 && VectorFileLine.IsHeader(fields, out dimension))
            {
                if (dimension > VectorFileLine.MaxDimension)
                    throw new InvalidDataException($"Line 1 of '{path}' announces {dimension} components; at most {VectorFileLine.MaxDimension} are read.");
                continue;
            }

            // The width is bounded before the numbers are parsed, so a damaged line costs no more than its text.
            if (fields.Length - 1 > VectorFileLine.MaxDimension)
                throw new InvalidDataException(
                    $"Line {lineNumber} of '{path}' (word '{fields[0]}') has {fields.Length - 1} components; at most {VectorFileLine.MaxDimension} are read.");

            // Every line is parsed, even those the filter drops, so that errors do not depend on the filter.
            if (!VectorFileLine.TryParseVector(fields, out float[] vector) || vector.Length == 0)
            {
                malformed++;
                continue;
            }
            if (VectorFileLine.Problem(vector) is { } problem)
                throw new InvalidDataException($"Line {lineNumber} of '{path}' (word '{fields[0]}'): {problem}.");
            if (dimension == 0)
                dimension = vector.Length;
            else if (vector.Length != dimension)
                throw new InvalidDataException(
                    $"Line {lineNumber} of '{path}' (word '{fields[0]}') has {vector.Length} components; expected {dimension}.");

            if (keep == null || keep(fields[0]))
                vectors.TryAdd(fields[0], vector);
        }

        if (dimension == 0)
            throw new InvalidDataException($"The word-vector file '{path}' contains no vectors.");
        return new PretrainedVectors(vectors, dimension, malformed);
    }
}
