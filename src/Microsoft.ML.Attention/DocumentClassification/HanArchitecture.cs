namespace Microsoft.ML.Attention.DocumentClassification;

// Saved as a JSON document of these named fields (ModuleCheckpoint.Save, ModelFormat).
/// <summary>Everything needed to rebuild a <see cref="HierarchicalAttentionModule"/> before its weights are loaded.</summary>
internal sealed record HanArchitecture(
    int VocabularySize,
    int EmbeddingSize,
    RecurrentKind Recurrent,
    int WordHiddenSize,
    int SentenceHiddenSize,
    int AttentionSize,
    AttentionScoreFunction ScoreFunction,
    double Dropout,
    int Classes)
{}
