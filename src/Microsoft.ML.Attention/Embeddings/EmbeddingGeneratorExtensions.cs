using Microsoft.Extensions.AI;
using Microsoft.ML;

namespace Microsoft.ML.Attention;

/// <summary>Fitted models as the .NET AI stack's embedding generators.</summary>
public static class EmbeddingGeneratorExtensions
{
    /// <summary>
    /// The model as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings: each text goes into
    /// <paramref name="inputColumnName"/> and its embedding is <paramref name="outputColumnName"/>, a known-size vector of
    /// Single (a pretrained encoder's or the self-attention featurizer's output column, fitted or loaded from a zip).
    /// </summary>
    /// <param name="model">A fitted model that reads only the text column.</param>
    /// <param name="mlContext">The context that scores it.</param>
    /// <param name="inputColumnName">The text column the model reads.</param>
    /// <param name="outputColumnName">The vector column the model writes.</param>
    /// <param name="modelId">The model id the metadata and every embedding report (for example the pretrained model's name).</param>
    /// <param name="disposeModel">Whether disposing the generator disposes the model (true for a model loaded only for it).</param>
    /// <exception cref="System.ArgumentOutOfRangeException">The model gives no column <paramref name="outputColumnName"/>, the
    /// column is not a known-size vector of Single, or the model needs input columns other than the text (ML.NET's schema errors).</exception>
    public static TransformerEmbeddingGenerator AsEmbeddingGenerator(this ITransformer model, MLContext mlContext,
        string inputColumnName, string outputColumnName, string? modelId = null, bool disposeModel = false)
        => new(mlContext, model, inputColumnName, outputColumnName, modelId, disposeModel);
}
