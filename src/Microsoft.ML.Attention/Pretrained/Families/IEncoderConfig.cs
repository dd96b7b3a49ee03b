using System.Collections.Generic;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A family's configuration record (what config.json says), seen by the family-independent code: sizes it needs and
/// the checks and text it saves.
/// </summary>
internal interface IEncoderConfig
{
    /// <summary>The family that read this configuration and builds its encoder.</summary>
    ModelFamily Family { get; }

    /// <summary>Word pieces the word embeddings hold.</summary>
    int VocabularySize { get; }

    /// <summary>The width of the token states, and of the vectors.</summary>
    int HiddenSize { get; }

    /// <summary>Tokens a window may hold (learned positions).</summary>
    int MaxPositions { get; }

    /// <summary>Checks the sizes fit together; <paramref name="source"/> names the file they came from.</summary>
    void Validate(string source);

    /// <summary>
    /// Weights whose shapes carry every size of the configuration, by Hugging Face name, for checking the configuration
    /// against a checkpoint before an encoder is built.
    /// </summary>
    IEnumerable<(string Name, long[] Shape)> WeightShapes();

    /// <summary>The sizes as config.json names them, for errors.</summary>
    string Describe();

    /// <summary>The encoder's shape in words, for the Fit log.</summary>
    string Summary();

    /// <summary>A config.json that <see cref="ModelFamilies.Parse"/> reads back to this record, saved inside a model.</summary>
    string ToJson();
}
