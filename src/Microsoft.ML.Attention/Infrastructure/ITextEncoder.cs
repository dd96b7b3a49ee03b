using System.Collections.Generic;
using Microsoft.ML;
using TorchSharp;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// An encoder that turns texts into vectors, whichever it is: the featurizer's, trained from scratch
/// (<c>TextFeaturization/FromScratchEncoder</c>), or a pretrained BERT (<c>Pretrained/PretrainedEncoder</c>). A
/// transformer holds one with its <see cref="TextEncoderColumns"/>.
/// </summary>
internal interface ITextEncoder
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

    /// <summary>The tokens the encoder reads of a text, in the order of the token weights (special tokens left out).</summary>
    string[] TokensRead(string? text);

    /// <summary>Writes the encoder (settings, vocabulary, weights) into the model zip.</summary>
    void Save(ModelSaveContext ctx);
}
