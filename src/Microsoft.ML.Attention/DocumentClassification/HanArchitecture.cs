using System.IO;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.DocumentClassification;

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
{
    // *** Format ***
    // string: a JSON object with one field per constructor parameter, enums by name (see ModelFormat)
    public void Write(BinaryWriter writer) => ModelFormat.WriteConfig(writer, this);

    public static HanArchitecture Read(BinaryReader reader) => ModelFormat.ReadConfig<HanArchitecture>(reader, "network architecture");
}
