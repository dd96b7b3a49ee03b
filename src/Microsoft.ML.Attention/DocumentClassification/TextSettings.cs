using System.IO;
using Microsoft.ML.Attention.Infrastructure;
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

    // *** Format ***
    // string: a JSON object with one field per constructor parameter, enums by name (see ModelFormat)
    public void Write(BinaryWriter writer) => ModelFormat.WriteConfig(writer, this);

    public static TextSettings Read(BinaryReader reader) => ModelFormat.ReadConfig<TextSettings>(reader, "text settings");
}
