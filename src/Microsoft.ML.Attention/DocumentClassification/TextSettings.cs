using System.IO;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>How documents are split and tokenized; saved with the model so scoring matches training.</summary>
internal sealed record TextSettings(bool LowerCase, bool KeepPunctuation, int MaximumSentences, int MaximumWordsPerSentence)
{
    public DocumentTokenizer CreateTokenizer() => new DocumentTokenizer(new DocumentTokenizerOptions
    {
        LowerCase = LowerCase,
        KeepPunctuation = KeepPunctuation,
        MaximumSentences = MaximumSentences,
        MaxTokensPerSentence = MaximumWordsPerSentence,
    });

    // *** Binary format ***
    // bool: lower-case
    // bool: keep punctuation
    // int: maximum sentences (0: unlimited)
    // int: maximum words per sentence (0: unlimited)
    public void Write(BinaryWriter writer)
    {
        writer.Write(LowerCase);
        writer.Write(KeepPunctuation);
        writer.Write(MaximumSentences);
        writer.Write(MaximumWordsPerSentence);
    }

    public static TextSettings Read(BinaryReader reader)
        => new TextSettings(reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadInt32(), reader.ReadInt32());
}
