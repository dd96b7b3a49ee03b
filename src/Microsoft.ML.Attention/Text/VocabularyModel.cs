using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Text;

/// <summary>The training vocabulary of the text capabilities: built once per Fit, stored as a stream of the model zip.</summary>
internal static class VocabularyModel
{
    private const string Stream = "Vocabulary";

    /// <summary>Builds the vocabulary of the training documents; an empty one is an error naming the column and the option.</summary>
    public static Vocabulary Build(IExceptionContext ectx, IEnumerable<TokenizedDocument> documents, int minimumCount, int maximumSize, string column)
    {
        var builder = new VocabularyBuilder(minimumCount, maximumSize);
        foreach (var document in documents)
            builder.Add(document);
        var vocabulary = builder.Build();
        if (vocabulary.Count <= 2)
            throw ectx.Except($"No word occurs at least {minimumCount} times in column '{column}'; the vocabulary is empty. Lower MinimumWordCount or check the text column.");
        return vocabulary;
    }

    // *** Binary format ***
    // stream "Vocabulary": see Vocabulary.Write
    public static void Save(ModelSaveContext ctx, Vocabulary vocabulary) => ctx.SaveBinaryStream(Stream, vocabulary.Write);

    public static Vocabulary Load(ModelLoadContext ctx)
    {
        Vocabulary? vocabulary = null;
        const string part = $"vocabulary '{Stream}'";
        if (!ctx.TryLoadBinaryStream(Stream, reader =>
            {
                try
                {
                    vocabulary = Vocabulary.Read(reader);
                }
                catch (EndOfStreamException)
                {
                    throw ModelFormat.Error(part, "the stream ends inside the vocabulary: it is truncated, or its word count is damaged.");
                }
                catch (FormatException)
                {
                    throw ModelFormat.Error(part, "a word's length is damaged.");
                }
                catch (InvalidDataException e)
                {
                    throw ModelFormat.Error(part, e.Message);
                }
            }))
            throw ModelFormat.Error("vocabulary", "the 'Vocabulary' stream is missing.");
        return vocabulary!;
    }
}
