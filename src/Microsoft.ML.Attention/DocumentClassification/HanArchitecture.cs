using System.IO;

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
    // *** Binary format ***
    // int: vocabulary size (including padding and unknown)
    // int: embedding size
    // int: recurrent kind
    // int: word encoder hidden size (per direction)
    // int: sentence encoder hidden size (per direction)
    // int: attention hidden size
    // int: score function of both attention layers
    // double: dropout
    // int: number of classes
    public void Write(BinaryWriter writer)
    {
        writer.Write(VocabularySize);
        writer.Write(EmbeddingSize);
        writer.Write((int)Recurrent);
        writer.Write(WordHiddenSize);
        writer.Write(SentenceHiddenSize);
        writer.Write(AttentionSize);
        writer.Write((int)ScoreFunction);
        writer.Write(Dropout);
        writer.Write(Classes);
    }

    public static HanArchitecture Read(BinaryReader reader) => new HanArchitecture(
        reader.ReadInt32(), reader.ReadInt32(), (RecurrentKind)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(),
        reader.ReadInt32(), (AttentionScoreFunction)reader.ReadInt32(), reader.ReadDouble(), reader.ReadInt32());
}
