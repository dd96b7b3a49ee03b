using System.IO;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>How texts become token windows; saved with the model so scoring matches training.</summary>
internal sealed record FeaturizerText(bool LowerCase, bool KeepPunctuation, int MaximumTokens, LongTextHandling LongText)
{
    /// <summary>The text → tokens step, the same for the training rows and for scoring.</summary>
    public DocumentTokenizer CreateTokenizer()
        => new DocumentTokenizer(new DocumentTokenizerOptions { LowerCase = LowerCase, KeepPunctuation = KeepPunctuation });

    /// <summary>The tokens → id windows step, the same for the training rows and for scoring.</summary>
    public TokenWindowEncoder CreateEncoder(Vocabulary vocabulary, int classificationToken)
        => new TokenWindowEncoder(CreateTokenizer(), vocabulary, MaximumTokens, LongText, classificationToken);

    // *** Format ***
    // string: a JSON object with one field per constructor parameter, enums by name (see ModelFormat)
    public void Write(BinaryWriter writer) => ModelFormat.WriteConfig(writer, this);

    public static FeaturizerText Read(BinaryReader reader) => ModelFormat.ReadConfig<FeaturizerText>(reader, "text settings");
}
