using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.DocumentClassification;

// Saved as a JSON document of these named fields (ModuleCheckpoint.Save, ModelFormat).
/// <summary>
/// Everything needed to rebuild a <see cref="HierarchicalAttentionModule"/> before its weights are loaded, and the
/// temperature its logits are divided by before the softmax (1 unless the trainer scaled it; absent from models saved
/// before it existed, which read as 1).
/// </summary>
internal sealed record HanArchitecture(
    int VocabularySize,
    int EmbeddingSize,
    RecurrentKind Recurrent,
    int WordHiddenSize,
    int SentenceHiddenSize,
    int AttentionSize,
    AttentionScoreFunction ScoreFunction,
    double Dropout,
    int Classes,
    double Temperature = 1) : ICheckpointArchitecture
{
    /// <inheritdoc/>
    public string? Problem()
    {
        if (VocabularySize < 1 || EmbeddingSize < 1 || WordHiddenSize < 1 || SentenceHiddenSize < 1 || AttentionSize < 1 || Classes < 1)
            return "VocabularySize, EmbeddingSize, WordHiddenSize, SentenceHiddenSize, AttentionSize and Classes must be positive.";
        if (!(Dropout >= 0 && Dropout < 1))
            return $"Dropout {Dropout} must be in [0, 1).";
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            return $"Temperature {Temperature} must be a positive number.";
        return null;
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
    {
        var recurrent = Recurrent == RecurrentKind.Gru ? "gru" : "lstm";
        long gates = Recurrent == RecurrentKind.Gru ? 3 : 4;
        var shapes = new List<(string, long[])>
        {
            ("embedding.weight", new long[] { VocabularySize, EmbeddingSize }),
            ($"word_encoder.{recurrent}.weight_ih_l0", new long[] { gates * WordHiddenSize, EmbeddingSize }),
            ($"sentence_encoder.{recurrent}.weight_ih_l0", new long[] { gates * SentenceHiddenSize, 2L * WordHiddenSize }),
            ("classifier.weight", new long[] { Classes, 2L * SentenceHiddenSize }),
        };
        shapes.AddRange(AttentionScores.WeightShapes(ScoreFunction, 0, 2 * WordHiddenSize, AttentionSize).Select(w => ("word_attention.score." + w.Name, w.Shape)));
        shapes.AddRange(AttentionScores.WeightShapes(ScoreFunction, 0, 2 * SentenceHiddenSize, AttentionSize).Select(w => ("sentence_attention.score." + w.Name, w.Shape)));
        return shapes;
    }
}
