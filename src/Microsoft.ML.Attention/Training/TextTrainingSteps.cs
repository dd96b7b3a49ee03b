using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The steps the Fit of a network trained on words shares (the HAN and the featurizer from scratch): read → tokenize,
/// vocabulary, optional pretrained word vectors, then build the module and train it, disposing it if training fails.
/// Each component keeps only what is its own between the steps (its split, its architecture, its training loop).
/// </summary>
internal static class TextTrainingSteps
{
    /// <summary>Reads every row of <paramref name="data"/> once, tokenizing its text (rows without a label are skipped unless a teacher scores them).</summary>
    public static LabeledRows<TokenizedDocument> ReadDocuments(IHost host, IChannel channel, IDataView data, DataViewSchema.Column text,
        LabelColumn? label, DocumentTokenizer tokenizer, string role, TeacherScores? teacher)
        => TrainingRun.Read<TokenizedDocument>(host, channel, data, new[] { text }, label, cursor =>
        {
            var readText = TextColumn.Reader(cursor, text);
            return () => tokenizer.Tokenize(readText());
        }, role, teacher);

    /// <summary>The vocabulary of the training documents under the options' limits, logged.</summary>
    public static Vocabulary Vocabulary(IHost host, IChannel channel, IEnumerable<TokenizedDocument> documents, AttentionTextTrainingOptions options, string column)
    {
        var vocabulary = VocabularyModel.Build(host, documents, options.MinimumWordCount, options.MaximumVocabularySize, column);
        channel.Info($"Vocabulary: {vocabulary.WordCount} words seen at least {options.MinimumWordCount} times.");
        return vocabulary;
    }

    /// <summary>
    /// The student's starting word vectors for <paramref name="vocabulary"/>, logged: the options' file when set, else
    /// the teacher's vectors the text column carries (<c>AugmentForDistillation</c> attaches them), reduced to the
    /// student's <paramref name="size"/>; null when there are neither.
    /// </summary>
    /// <param name="ectx">Errors of the column's annotations are raised through it.</param>
    /// <param name="channel">The fit's log.</param>
    /// <param name="options">The student's options (its <c>PretrainedVectorsPath</c>).</param>
    /// <param name="vocabulary">The student's vocabulary, whose ids index the rows.</param>
    /// <param name="seed">The seed of the rows without a vector.</param>
    /// <param name="text">The training view's text column.</param>
    /// <param name="size">The student's embedding size, which the teacher's vectors are reduced to.</param>
    /// <param name="sizeOption">The option that sets it, named when the teacher's vectors are too small for it.</param>
    public static PretrainedEmbedding? WordVectors(IExceptionContext ectx, IChannel channel, AttentionTextTrainingOptions options,
        Vocabulary vocabulary, int seed, DataViewSchema.Column text, int size, string sizeOption)
    {
        var teacher = TeacherWordVectors.Read(ectx, text);
        if (options.PretrainedVectorsPath != null)
        {
            var pretrained = PretrainedEmbedding.Load(options.PretrainedVectorsPath, vocabulary, seed);
            channel.Info($"Pretrained vectors from {options.PretrainedVectorsPath}: dimension {pretrained.Dimension}, " +
                $"{pretrained.Found} of {vocabulary.WordCount} vocabulary words found" +
                (teacher == null ? "." : $"; the teacher's word vectors the column '{text.Name}' carries are not used."));
            return pretrained;
        }
        if (teacher is not var (words, vectors))
            return null;
        int dimension = vectors[0].Length;
        if (dimension < size)
        {
            channel.Warning($"The text column '{text.Name}' carries the teacher's word vectors of dimension {dimension}, fewer than the " +
                $"student's {size}; they are not used. Set {sizeOption} to {dimension} to start from them.");
            return null;
        }
        var embedding = PretrainedEmbedding.FromTeacher(words, vectors, size, vocabulary, seed);
        channel.Info($"Word vectors: the teacher's, carried by the text column '{text.Name}' ({words.Count} words, dimension " +
            $"{dimension}{(dimension > size ? $" reduced to {size}" : "")}): {embedding.Found} of {vocabulary.WordCount} vocabulary words found.");
        return embedding;
    }

    /// <summary>Builds the module with the fit's generator, then trains it; a module whose training fails is disposed.</summary>
    public static TModule BuildAndTrain<TModule>(Func<TModule> build, Action<TModule> train) where TModule : torch.nn.Module
    {
        var module = FitGenerator.Draw(build);
        try
        {
            train(module);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
