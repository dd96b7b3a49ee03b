using System.IO;
using System.Text.Json.Serialization;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// How texts are split and tokenized, saved with the model (as a JSON document, see <c>ModelFormat</c>) so that
/// scoring matches training; one record for every text component. Casing and punctuation apply to all; the HAN sets the
/// document limits (<see cref="MaximumSentences"/>, <see cref="MaximumWordsPerSentence"/>), the featurizer the window
/// settings (<see cref="MaximumTokens"/>, <see cref="LongText"/>). A limit a component does not use is null and not
/// written, so each component's saved document holds only its own fields.
/// </summary>
internal sealed record TextPreprocessing(
    bool LowerCase,
    bool KeepPunctuation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaximumSentences = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaximumWordsPerSentence = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaximumTokens = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LongTextHandling? LongText = null)
{
    /// <summary>The part name of this record in model-file errors.</summary>
    public const string Part = "text settings";

    /// <summary>
    /// Reads the record from a model stream and refuses limits no training writes, which would otherwise fail (or
    /// tokenize oddly) only at the first text scored.
    /// </summary>
    public static TextPreprocessing Read(BinaryReader reader)
    {
        var text = RecordFormat.ReadConfig<TextPreprocessing>(reader, Part);
        if (text.MaximumSentences < 0 || text.MaximumWordsPerSentence < 0 || text.MaximumTokens < 2)
            throw RecordFormat.Error(Part, $"MaximumSentences {text.MaximumSentences}, MaximumWordsPerSentence {text.MaximumWordsPerSentence} "
                + $"and MaximumTokens {text.MaximumTokens}: the limits must not be negative, and MaximumTokens must be at least 2.");
        return text;
    }

    /// <summary>The text → tokens step, the same for the training rows and for scoring; an unset limit is unlimited.</summary>
    public DocumentTokenizer CreateTokenizer() => new DocumentTokenizer(new DocumentTokenizerOptions
    {
        LowerCase = LowerCase,
        KeepPunctuation = KeepPunctuation,
        MaximumSentences = MaximumSentences ?? 0,
        MaxTokensPerSentence = MaximumWordsPerSentence ?? 0,
    });
}
