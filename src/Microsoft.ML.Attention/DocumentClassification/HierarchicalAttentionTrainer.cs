using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention;

/// <summary>
/// Trains a hierarchical attention network (Yang et al., 2016) that classifies documents: words → sentence
/// vectors → document vector, with word- and sentence-level attention that explains each decision.
/// Create it with <c>mlContext.MulticlassClassification.Trainers.HierarchicalAttention(...)</c> or
/// <c>mlContext.BinaryClassification.Trainers.HierarchicalAttention(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input columns: the text (string) and the label: a key for multiclass classification (use
/// <c>MapValueToKey</c>), a Boolean for binary classification.</para>
/// <para>Output columns: ML.NET's standard ones, so <c>Evaluate</c>, cross-validation and <c>PredictionEngine</c>
/// work unchanged. Multiclass: <c>Score</c> (class probabilities) and <c>PredictedLabel</c>. Binary: <c>Score</c>,
/// <c>Probability</c> and <c>PredictedLabel</c>. Optional attention columns, see <see cref="Options"/>.</para>
/// <para>Text handling: sentences end at . ! ? (not after common abbreviations, initials or inside numbers), line
/// breaks, HTML &lt;br&gt; and 。！？; words are Unicode letter/digit runs, punctuation marks are tokens, each CJK
/// ideograph is a token. Only the first <see cref="Options.MaximumSentences"/> sentences and the first
/// <see cref="Options.MaximumWordsPerSentence"/> words of each sentence are read; how much was cut is logged.</para>
/// </remarks>
public sealed class HierarchicalAttentionTrainer : IEstimator<HierarchicalAttentionTransformer>
{
    /// <summary>The defaults of <see cref="Options"/> and of the catalog's short overloads.</summary>
    internal static class Defaults
    {
        public const string LabelColumnName = DefaultColumnNames.Label;
        public const string TextColumnName = "Text";
        public const int NumberOfEpochs = 5;
        public const int BatchSize = 64;
        public const double LearningRate = 1e-3;
        public const int EarlyStoppingPatience = 2;
        public const double GradientClipNorm = 5.0;
        public const int MaximumVocabularySize = 50000;
    }

    /// <summary>Settings of <see cref="HierarchicalAttentionTrainer"/>. Model sizes default to the paper's.</summary>
    public sealed class Options : AttentionTextTrainingOptions
    {
        /// <summary>
        /// Default settings: vocabulary of at most 50,000 words, 5 epochs, batches of 64 documents, learning rate 1e-3, patience 2, gradient clipping at
        /// norm 5. <see cref="AttentionTrainingOptions.ValidationFraction"/> is ignored by <c>Fit(train, validation)</c>.
        /// </summary>
        public Options() : base(HierarchicalAttentionTrainer.Defaults.NumberOfEpochs, HierarchicalAttentionTrainer.Defaults.BatchSize, HierarchicalAttentionTrainer.Defaults.LearningRate, HierarchicalAttentionTrainer.Defaults.EarlyStoppingPatience,
            HierarchicalAttentionTrainer.Defaults.GradientClipNorm, HierarchicalAttentionTrainer.Defaults.MaximumVocabularySize)
        {
        }

        /// <summary>Name of the label column: a key (multiclass) or a Boolean (binary).</summary>
        /// <remarks>Default "Label".</remarks>
        public string LabelColumnName { get; set; } = HierarchicalAttentionTrainer.Defaults.LabelColumnName;

        /// <summary>Name of the text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string TextColumnName { get; set; } = HierarchicalAttentionTrainer.Defaults.TextColumnName;

        /// <summary>Name of an optional output column with the attention on each sentence; null for none.</summary>
        /// <remarks>Default null (no column). Must differ from <see cref="WordWeightsColumnName"/>.</remarks>
        public string? SentenceWeightsColumnName { get; set; }

        /// <summary>
        /// Name of an optional output column with the attention on each word, all sentences flattened in order
        /// (<see cref="SentenceLengthsColumnName"/> tells where each sentence ends). Null for none.
        /// </summary>
        /// <remarks>Default null (no column).</remarks>
        public string? WordWeightsColumnName { get; set; }

        /// <summary>
        /// Name of the output column with the number of words of each sentence, which splits the flattened word weights
        /// into sentences. Null: <see cref="WordWeightsColumnName"/> followed by "SentenceLengths" when word weights are
        /// produced, no column otherwise.
        /// </summary>
        /// <remarks>Default null. Setting it without <see cref="WordWeightsColumnName"/> gives the lengths alone.</remarks>
        public string? SentenceLengthsColumnName { get; set; }

        /// <summary>Sentences read from the start of a document; later ones are ignored (and counted in the log). 0: all.</summary>
        /// <remarks>Default 30. Typical range 10–100; 0 reads all (memory and time grow with the longest document).</remarks>
        public int MaximumSentences { get; set; } = 30;

        /// <summary>Words read from the start of each sentence; later ones are ignored (and counted in the log). 0: all.</summary>
        /// <remarks>Default 50. Typical range 20–100; 0 reads all.</remarks>
        public int MaximumWordsPerSentence { get; set; } = 50;

        /// <summary>Size of the word embeddings. Paper: 200.</summary>
        /// <remarks>Default 200. Typical range 50–300. Ignored with <see cref="AttentionTextTrainingOptions.PretrainedVectorsPath"/>.</remarks>
        public int EmbeddingSize { get; set; } = 200;

        /// <summary>GRU (paper) or LSTM encoders.</summary>
        /// <remarks>Default <see cref="RecurrentKind.Gru"/>. Lstm is slower.</remarks>
        public RecurrentKind Recurrent { get; set; } = RecurrentKind.Gru;

        /// <summary>Hidden size of the word encoder, per direction. Paper: 50.</summary>
        /// <remarks>Default 50. Typical range 25–150. At least 1.</remarks>
        public int WordHiddenSize { get; set; } = 50;

        /// <summary>Hidden size of the sentence encoder, per direction. Paper: 50.</summary>
        /// <remarks>Default 50. Typical range 25–150. At least 1.</remarks>
        public int SentenceHiddenSize { get; set; } = 50;

        /// <summary>Hidden size of both attention layers' scorers. Paper: 100.</summary>
        /// <remarks>Default 100. Typical range 25–200. At least 1.</remarks>
        public int AttentionSize { get; set; } = 100;

        /// <summary>Score of both attention layers: Location (paper: a learned context vector) or Mlp.</summary>
        /// <remarks>Default <see cref="AttentionScoreFunction.Location"/>. Only Location and Mlp are accepted.</remarks>
        public AttentionScoreFunction ScoreFunction { get; set; } = AttentionScoreFunction.Location;

        /// <summary>Dropout on embeddings, sentence vectors and the document vector.</summary>
        /// <remarks>Default 0.1. Allowed [0, 1); typical range 0–0.5 (0 for large corpora, 0.3–0.5 for small ones).</remarks>
        public double Dropout { get; set; } = 0.1;

        /// <summary>
        /// After training, fit one temperature on the validation rows that divides the logits before the softmax (Guo et
        /// al. 2017), so that the probabilities' confidence matches how often the network is right: scores change,
        /// predicted labels do not. Saved with the model.
        /// </summary>
        /// <remarks>Default false. Needs validation rows (<see cref="AttentionTrainingOptions.ValidationFraction"/> above 0 or a validation view).</remarks>
        public bool ScaleTemperature { get; set; }
    }

    private readonly IHost _host;
    private readonly Options _options;
    private readonly ClassificationTask _task;

    internal HierarchicalAttentionTrainer(IHostEnvironment env, Options options, ClassificationTask task)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(HierarchicalAttentionTrainer));
        _host.CheckValue(options, nameof(options));
        Validate(_host, options);
        _options = options;
        _task = task;
    }

    private static void Validate(IHost host, Options o)
    {
        o.ValidateTextTraining(host);
        host.CheckNonEmpty(o.LabelColumnName, nameof(o.LabelColumnName));
        host.CheckNonEmpty(o.TextColumnName, nameof(o.TextColumnName));
        host.CheckUserArg(o.MaximumSentences >= 0, nameof(o.MaximumSentences), "must be 0 (all) or positive");
        host.CheckUserArg(o.MaximumWordsPerSentence >= 0, nameof(o.MaximumWordsPerSentence), "must be 0 (all) or positive");
        host.CheckUserArg(o.EmbeddingSize >= 1, nameof(o.EmbeddingSize), "must be at least 1");
        host.CheckUserArg(o.WordHiddenSize >= 1, nameof(o.WordHiddenSize), "must be at least 1");
        host.CheckUserArg(o.SentenceHiddenSize >= 1, nameof(o.SentenceHiddenSize), "must be at least 1");
        host.CheckUserArg(o.AttentionSize >= 1, nameof(o.AttentionSize), "must be at least 1");
        host.CheckUserArg(!o.ScoreFunction.RequiresQuery(),
            nameof(o.ScoreFunction), "the network's attention has no query: use Location or Mlp");
        host.CheckUserArg(o.Dropout >= 0 && o.Dropout < 1, nameof(o.Dropout), "must be in [0, 1)");
        var names = new[] { o.SentenceWeightsColumnName, o.WordWeightsColumnName, SentenceLengthsColumn(o) }.Where(n => n != null).ToArray();
        host.CheckUserArg(names.Distinct().Count() == names.Length, nameof(o.WordWeightsColumnName),
            "SentenceWeightsColumnName, WordWeightsColumnName and SentenceLengthsColumnName must differ");
    }

    private static string? SentenceLengthsColumn(Options o)
        => o.SentenceLengthsColumnName ?? (o.WordWeightsColumnName == null ? null : o.WordWeightsColumnName + "SentenceLengths");

    private OutputColumnNames Columns => new OutputColumnNames(_options.TextColumnName, DefaultColumnNames.Score,
        DefaultColumnNames.PredictedLabel, DefaultColumnNames.Probability, _options.SentenceWeightsColumnName, _options.WordWeightsColumnName,
        SentenceLengthsColumn(_options));

    /// <summary>Trains on <paramref name="input"/>, holding out <see cref="AttentionTrainingOptions.ValidationFraction"/> of it for early stopping.</summary>
    /// <param name="input">Training data with the text and label columns.</param>
    public HierarchicalAttentionTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="input"/> and stops early on <paramref name="validation"/>.</summary>
    /// <param name="input">Training data with the text and label columns.</param>
    /// <param name="validation">Validation data with the same columns; null to hold out part of the training data.</param>
    public HierarchicalAttentionTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        var text = TextColumn.Find(_host, input.Schema, o.TextColumnName);
        var label = FindLabel(input.Schema);
        var teacher = TeacherScores.Find(_host, input.Schema, o.TeacherScoreColumnName, label);
        var classes = ClassifierLabel.Classes(label, _task);

        using var run = TrainingRun.Begin(_host, o);
        var seed = run.Seed;

        using var channel = _host.Start("Training hierarchical attention network");
        var settings = new TextPreprocessing(o.LowerCase, o.KeepPunctuation, MaximumSentences: o.MaximumSentences, MaximumWordsPerSentence: o.MaximumWordsPerSentence);
        var tokenizer = settings.CreateTokenizer();
        var train = ReadDocuments(channel, input, text, label, tokenizer, "training", teacher);
        if (train.Documents.Count == 0)
            throw _host.Except($"The training data has no rows with a label in column '{label.Column.Name}'.");
        var seen = train.Labels.Where(l => l >= 0).Distinct().Count();
        if (seen < 2)
            throw _host.Except($"Column '{label.Column.Name}' holds a single class in the training data; a classifier needs at least two.");

        var vocabulary = TextTrainingSteps.Vocabulary(_host, channel, train.Documents, o, o.TextColumnName);

        List<int[][]> trainIds, validationIds;
        int[] trainLabels, validationLabels;
        float[][]? trainTeacher = null, validationTeacher = null;
        if (validation != null)
        {
            TextColumn.Find(_host, validation.Schema, o.TextColumnName);
            var validationLabel = FindLabel(validation.Schema);
            var held = ReadDocuments(channel, validation, validation.Schema[o.TextColumnName], validationLabel, tokenizer, "validation",
                TeacherScores.Find(_host, validation.Schema, o.TeacherScoreColumnName, validationLabel));
            trainIds = train.Documents.Select(d => ToIds(d, vocabulary)).ToList();
            trainLabels = train.Labels.ToArray();
            trainTeacher = train.Teacher;
            validationIds = held.Documents.Select(d => ToIds(d, vocabulary)).ToList();
            validationLabels = held.Labels.ToArray();
            validationTeacher = held.Teacher;
        }
        else
        {
            var (trainRows, heldRows) = TrainingRun.Split(train.Documents.Count, o.ValidationFraction, seed);
            validationIds = heldRows.Select(i => ToIds(train.Documents[i], vocabulary)).ToList();
            validationLabels = heldRows.Select(i => train.Labels[i]).ToArray();
            trainIds = trainRows.Select(i => ToIds(train.Documents[i], vocabulary)).ToList();
            trainLabels = trainRows.Select(i => train.Labels[i]).ToArray();
            trainTeacher = train.Teacher == null ? null : trainRows.Select(i => train.Teacher[i]).ToArray();
            validationTeacher = train.Teacher == null ? null : heldRows.Select(i => train.Teacher[i]).ToArray();
        }
        channel.Info($"{trainIds.Count} training documents, {validationIds.Count} validation documents, {classes.Count} classes.");

        var pretrained = TextTrainingSteps.WordVectors(_host, channel, o, vocabulary, seed, text, o.EmbeddingSize, nameof(o.EmbeddingSize));
        var architecture = new HanArchitecture(vocabulary.Count, pretrained?.Dimension ?? o.EmbeddingSize, o.Recurrent, o.WordHiddenSize,
            o.SentenceHiddenSize, o.AttentionSize, o.ScoreFunction, o.Dropout, classes.Count);
        var module = TextTrainingSteps.BuildAndTrain(() => new HierarchicalAttentionModule(architecture), module =>
        {
            pretrained?.CopyInto(module.EmbeddingWeight, o.FreezePretrainedVectors);
            HierarchicalAttentionTraining.Train(_host, channel, module, trainIds, trainLabels, validationIds, validationLabels, o.ToSettings(seed),
                o.ToDistillation(trainTeacher?.Concat(validationTeacher!).ToArray()));
            if (o.ScaleTemperature)
                architecture = architecture with { Temperature = ScaledTemperature(channel, module, validationIds, validationLabels) };
        });
        return new HierarchicalAttentionTransformer(_host, _task, Columns, settings, vocabulary, classes, architecture, module)
        {
            OutputCacheMegabytes = o.OutputCacheMegabytes,
        };
    }

    // The temperature that makes the validation rows' probabilities most likely; 1 without labelled validation rows.
    private double ScaledTemperature(IChannel channel, HierarchicalAttentionModule module, List<int[][]> documents, int[] labels)
    {
        if (!labels.Any(l => l >= 0))
        {
            channel.Warning("ScaleTemperature needs labelled validation rows (ValidationFraction above 0, or a validation view); the temperature stays 1.");
            return 1;
        }
        var temperature = TemperatureScaling.Fit(HierarchicalAttentionTraining.Logits(module, documents), labels);
        channel.Info($"Temperature scaling on {labels.Count(l => l >= 0)} validation documents: logits divided by {temperature:G4}.");
        return temperature;
    }

    private LabelColumn FindLabel(DataViewSchema schema) => ClassifierLabel.Find(_host, schema, _options.LabelColumnName, _task);

    private static int[][] ToIds(TokenizedDocument document, Vocabulary vocabulary) => TokenIds.FromDocument(document, vocabulary);

    // Labels are class indexes, -1 for a row without a label (kept only with a teacher).
    private sealed record LabeledDocuments(List<TokenizedDocument> Documents, List<int> Labels, float[][]? Teacher);

    /// <summary>
    /// Tokenizes every labeled row once; rows with a missing label are skipped (kept, with label -1, when a teacher's
    /// scores are read in the same pass), cuts are counted and logged.
    /// </summary>
    private LabeledDocuments ReadDocuments(IChannel channel, IDataView data, DataViewSchema.Column text, LabelColumn label,
        DocumentTokenizer tokenizer, string role, TeacherScores? teacher)
    {
        var read = TextTrainingSteps.ReadDocuments(_host, channel, data, text, label, tokenizer, role, teacher);
        var cut = read.Rows.Where(d => d.IsTruncated).ToList();
        if (cut.Count > 0)
            channel.Info($"{cut.Count} of {read.Rows.Count} {role} documents exceed the length limits: {cut.Sum(d => (long)d.DroppedSentenceCount)} sentences beyond " +
                $"MaximumSentences = {_options.MaximumSentences} and {cut.Sum(d => (long)d.DroppedTokenCount)} words beyond MaximumWordsPerSentence = {_options.MaximumWordsPerSentence} are not read.");
        return new LabeledDocuments(read.Rows, read.Targets.Select(t => float.IsNaN(t) ? -1 : (int)t).ToList(), read.Teacher);
    }

    /// <summary>The schema after the transformer: the input columns plus the classifier's outputs.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.TextColumnName);
        ClassifierLabel.Check(_host, inputSchema, _options.LabelColumnName, _task);
        TeacherScores.Check(_host, inputSchema, _options.TeacherScoreColumnName, _options.LabelColumnName);

        return OutputShape.With(inputSchema, Columns.OutputColumns(_task, ClassifierLabel.ShapeClasses(_task)));
    }
}
