using System.Collections.Generic;
using Microsoft.ML;
using TorchSharp;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// What the featurizer's transformer needs of its encoder, whichever it is: the small encoder trained from scratch
/// (<see cref="FromScratchEncoder"/>) or a pretrained BERT (<see cref="Pretrained.PretrainedEncoder"/>).
/// </summary>
internal interface IFeaturizerEncoder
{
    /// <summary>The TorchSharp module, owned (put in eval mode and disposed) by the transformer.</summary>
    torch.nn.Module Module { get; }

    /// <summary>Size of each text's vector.</summary>
    int OutputSize { get; }

    /// <summary>
    /// The vector of each text and, when <paramref name="tokenWeights"/> is given, the attention each of its tokens
    /// received (in token order, special tokens left out); null or empty text gives a valid vector.
    /// </summary>
    (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<string?> texts, TokenAttentionSource? tokenWeights);

    /// <summary>Writes the encoder (settings, vocabulary, weights) into the model zip.</summary>
    void Save(ModelSaveContext ctx);
}
