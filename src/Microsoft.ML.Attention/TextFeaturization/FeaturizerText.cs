using System.IO;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>How texts become token windows; saved with the model so scoring matches training.</summary>
internal sealed record FeaturizerText(bool LowerCase, bool KeepPunctuation, int MaximumTokens, LongTextHandling LongText)
{
    public TokenWindowEncoder CreateEncoder(Vocabulary vocabulary, int classificationToken)
        => new TokenWindowEncoder(new DocumentTokenizer(new DocumentTokenizerOptions { LowerCase = LowerCase, KeepPunctuation = KeepPunctuation }),
            vocabulary, MaximumTokens, LongText, classificationToken);

    // *** Binary format ***
    // bool: lower-case
    // bool: keep punctuation
    // int: maximum tokens per window, including the classification token
    // int: long-text handling
    public void Write(BinaryWriter writer)
    {
        writer.Write(LowerCase);
        writer.Write(KeepPunctuation);
        writer.Write(MaximumTokens);
        writer.Write((int)LongText);
    }

    public static FeaturizerText Read(BinaryReader reader)
        => new FeaturizerText(reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadInt32(), (LongTextHandling)reader.ReadInt32());
}
