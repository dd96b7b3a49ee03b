using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Text;
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

    /// <summary>The options' pretrained word vectors for <paramref name="vocabulary"/> (null without a path), logged.</summary>
    public static PretrainedEmbedding? WordVectors(IChannel channel, AttentionTextTrainingOptions options, Vocabulary vocabulary, int seed)
    {
        if (options.PretrainedVectorsPath == null)
            return null;
        var pretrained = PretrainedEmbedding.Load(options.PretrainedVectorsPath, vocabulary, seed);
        channel.Info($"Pretrained vectors from {options.PretrainedVectorsPath}: dimension {pretrained.Dimension}, " +
            $"{pretrained.Found} of {vocabulary.WordCount} vocabulary words found.");
        return pretrained;
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
