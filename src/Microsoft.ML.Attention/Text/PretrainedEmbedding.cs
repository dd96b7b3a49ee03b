using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Text;

/// <summary>Pretrained word vectors arranged as an embedding matrix for a vocabulary, ready to copy into a model.</summary>
internal sealed class PretrainedEmbedding
{
    private readonly EmbeddingMatrix _matrix;

    private PretrainedEmbedding(EmbeddingMatrix matrix) => _matrix = matrix;

    public int Dimension => _matrix.Dimension;

    /// <summary>Vocabulary words (padding and unknown excluded) that the file had a vector for.</summary>
    public int Found => _matrix.FoundCount;

    /// <summary>Reads only the vocabulary's words from a local vector file; other rows get small random vectors.</summary>
    public static PretrainedEmbedding Load(string path, Vocabulary vocabulary, int seed)
    {
        var vectors = PretrainedVectors.Load(path, EmbeddingMatrix.WordFilter(vocabulary));
        return new PretrainedEmbedding(EmbeddingMatrix.Build(vocabulary, vectors, seed));
    }

    /// <summary>
    /// A teacher's unit word vectors (carried by the training view) reduced to <paramref name="dimension"/> as
    /// <see cref="WordVectorReduction"/> does; the vocabulary's other rows get small random vectors.
    /// </summary>
    public static PretrainedEmbedding FromTeacher(IReadOnlyList<string> words, double[][] unit, int dimension, Vocabulary vocabulary, int seed)
        => new(EmbeddingMatrix.Build(vocabulary, PretrainedVectors.FromWords(words, WordVectorReduction.Reduce(unit, dimension)), seed));

    /// <summary>
    /// Copies the matrix into the first rows of an embedding weight [at least vocabulary, dimension] (models may add
    /// special tokens after the vocabulary); a frozen weight gets no gradient.
    /// </summary>
    public void CopyInto(Tensor weight, bool freeze)
    {
        using (torch.no_grad())
        using (var values = torch.tensor(_matrix.Values, new long[] { _matrix.RowCount, _matrix.Dimension }))
        using (var rows = weight.narrow(0, 0, _matrix.RowCount))
            rows.copy_(values);
        weight.requires_grad = !freeze;
    }
}
