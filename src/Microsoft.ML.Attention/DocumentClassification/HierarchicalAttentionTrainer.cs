using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.DocumentClassification;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
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
/// ideograph is a token. Only the first <see cref="Options.MaxSentences"/> sentences and the first
/// <see cref="Options.MaxWordsPerSentence"/> words of each sentence are read; how much was cut is logged.</para>
/// </remarks>
public sealed class HierarchicalAttentionTrainer : IEstimator<HierarchicalAttentionTransformer>
{
    /// <summary>Settings of <see cref="HierarchicalAttentionTrainer"/>. Model sizes default to the paper's.</summary>
    public sealed class Options
    {
        /// <summary>Name of the label column: a key (multiclass) or a Boolean (binary).</summary>
        /// <remarks>Default "Label".</remarks>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>Name of the text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string TextColumnName { get; set; } = "Text";

        /// <summary>Name of an optional output column with the attention on each sentence; null for none.</summary>
        /// <remarks>Default null (no column). Must differ from <see cref="WordWeightsColumnName"/>.</remarks>
        public string? SentenceWeightsColumnName { get; set; }

        /// <summary>
        /// Name of an optional output column with the attention on each word, all sentences flattened in order; a
        /// second column named this plus "SentenceLengths" gives the number of words of each sentence. Null for none.
        /// </summary>
        /// <remarks>Default null (no column).</remarks>
        public string? WordWeightsColumnName { get; set; }

        /// <summary>Lower-case words before looking them up.</summary>
        /// <remarks>Default true. Set false when case carries meaning (codes, names).</remarks>
        public bool LowerCase { get; set; } = true;

        /// <summary>Keep punctuation marks as tokens.</summary>
        /// <remarks>Default true. Set false when punctuation is noise in your texts.</remarks>
        public bool KeepPunctuation { get; set; } = true;

        /// <summary>Sentences read from the start of a document; later ones are ignored (and counted in the log). 0: all.</summary>
        /// <remarks>Default 30. Typical range 10–100; 0 reads all (memory and time grow with the longest document).</remarks>
        public int MaxSentences { get; set; } = 30;

        /// <summary>Words read from the start of each sentence; later ones are ignored (and counted in the log). 0: all.</summary>
        /// <remarks>Default 50. Typical range 20–100; 0 reads all.</remarks>
        public int MaxWordsPerSentence { get; set; } = 50;

        /// <summary>Words seen fewer times than this in the training data map to the unknown word.</summary>
        /// <remarks>Default 2. Typical range 1–5; 1 for very small corpora. At least 1.</remarks>
        public int MinimumWordCount { get; set; } = 2;

        /// <summary>Largest vocabulary (most frequent words first), 0 for no limit.</summary>
        /// <remarks>Default 50,000. Typical range 10,000–100,000; 0 for no limit.</remarks>
        public int MaximumVocabularySize { get; set; } = 50000;

        /// <summary>
        /// Optional local file of pretrained word vectors (GloVe, word2vec text or fastText .vec); its dimension
        /// replaces <see cref="EmbeddingSize"/>. Nothing is downloaded.
        /// </summary>
        /// <remarks>Default null (embeddings learned from scratch).</remarks>
        public string? PretrainedVectorsPath { get; set; }

        /// <summary>Keep pretrained vectors fixed during training (true) or fine-tune them (false).</summary>
        /// <remarks>Default false. Set true for small training sets with good vectors.</remarks>
        public bool FreezePretrainedVectors { get; set; }

        /// <summary>Size of the word embeddings. Paper: 200.</summary>
        /// <remarks>Default 200. Typical range 50–300. Ignored with <see cref="PretrainedVectorsPath"/>.</remarks>
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

        /// <summary>Adam (default) or SGD with momentum.</summary>
        /// <remarks>Default <see cref="OptimizerKind.Adam"/>.</remarks>
        public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

        /// <summary>Learning rate of the optimizer.</summary>
        /// <remarks>Default 1e-3. Typical range 3e-4–3e-3 with Adam, 1e-2–1e-1 with SGD (sweep on a log scale).</remarks>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Documents per training step.</summary>
        /// <remarks>Default 64. Typical range 16–256; larger is faster per document on a CPU. At least 1.</remarks>
        public int BatchSize { get; set; } = 64;

        /// <summary>Passes over the training documents, at most.</summary>
        /// <remarks>Default 5. Typical range 3–20; early stopping ends sooner when validation loss stops improving.</remarks>
        public int NumberOfEpochs { get; set; } = 5;

        /// <summary>Gradients are rescaled to at most this norm; 0 turns clipping off.</summary>
        /// <remarks>Default 5. Typical range 1–10; 0 turns clipping off.</remarks>
        public double GradientClipNorm { get; set; } = 5.0;

        /// <summary>
        /// Share of the training documents held out to pick the best epoch and stop early, when <c>Fit</c> gets no
        /// validation set; 0 trains every epoch on all documents.
        /// </summary>
        /// <remarks>Default 0.1. Allowed [0, 1); typical range 0.05–0.2. Ignored by <c>Fit(train, validation)</c>.</remarks>
        public double ValidationFraction { get; set; } = 0.1;

        /// <summary>Epochs without a better validation loss before training stops; the best epoch's weights are kept.</summary>
        /// <remarks>Default 2. Typical range 1–5. At least 1.</remarks>
        public int EarlyStoppingPatience { get; set; } = 2;

        /// <summary>Threads libtorch may use; null keeps its default (all cores). Process-wide in libtorch.</summary>
        /// <remarks>Default null (libtorch default: all cores). Range 1 to the number of cores; set by <c>Fit</c> and kept for the rest of the process.</remarks>
        public int? NumberOfThreads { get; set; }

        /// <summary>
        /// Memory bound, in MiB, of the outputs the fitted transformer keeps for the input it last read in full, so a
        /// trainer that reads them many times (SDCA without <c>AppendCacheCheckpoint</c>) runs the model once; 0 turns it off.
        /// </summary>
        /// <remarks>Default 256. At least 0. A runtime setting of the transformer (<c>OutputCacheMegabytes</c>), not saved with the model.</remarks>
        public int OutputCacheMegabytes { get; set; } = 256;

        /// <summary>Seed for initialisation, shuffling and dropout; null takes one from the <see cref="MLContext"/>.</summary>
        /// <remarks>Default null (taken from the <see cref="MLContext"/> seed).</remarks>
        public int? Seed { get; set; }

        /// <summary>Called after every batch with the training progress, e.g. for a progress bar.</summary>
        /// <remarks>Default null (no callback). Runs on the training thread; keep it fast.</remarks>
        public Action<TrainingProgress>? Progress { get; set; }
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
        host.CheckNonEmpty(o.LabelColumnName, nameof(o.LabelColumnName));
        host.CheckNonEmpty(o.TextColumnName, nameof(o.TextColumnName));
        host.CheckUserArg(o.MaxSentences >= 0, nameof(o.MaxSentences), "must be 0 (all) or positive");
        host.CheckUserArg(o.MaxWordsPerSentence >= 0, nameof(o.MaxWordsPerSentence), "must be 0 (all) or positive");
        host.CheckUserArg(o.MinimumWordCount >= 1, nameof(o.MinimumWordCount), "must be at least 1");
        host.CheckUserArg(o.MaximumVocabularySize >= 0, nameof(o.MaximumVocabularySize), "must be 0 (no limit) or positive");
        host.CheckUserArg(o.EmbeddingSize >= 1, nameof(o.EmbeddingSize), "must be at least 1");
        host.CheckUserArg(o.WordHiddenSize >= 1, nameof(o.WordHiddenSize), "must be at least 1");
        host.CheckUserArg(o.SentenceHiddenSize >= 1, nameof(o.SentenceHiddenSize), "must be at least 1");
        host.CheckUserArg(o.AttentionSize >= 1, nameof(o.AttentionSize), "must be at least 1");
        host.CheckUserArg(o.ScoreFunction == AttentionScoreFunction.Location || o.ScoreFunction == AttentionScoreFunction.Mlp,
            nameof(o.ScoreFunction), "the network's attention has no query: use Location or Mlp");
        host.CheckUserArg(o.Dropout >= 0 && o.Dropout < 1, nameof(o.Dropout), "must be in [0, 1)");
        host.CheckUserArg(o.LearningRate > 0, nameof(o.LearningRate), "must be positive");
        host.CheckUserArg(o.BatchSize >= 1, nameof(o.BatchSize), "must be at least 1");
        host.CheckUserArg(o.OutputCacheMegabytes >= 0, nameof(o.OutputCacheMegabytes), "must be 0 (off) or more");
        host.CheckUserArg(o.NumberOfEpochs >= 1, nameof(o.NumberOfEpochs), "must be at least 1");
        host.CheckUserArg(o.GradientClipNorm >= 0, nameof(o.GradientClipNorm), "must be 0 (off) or positive");
        host.CheckUserArg(o.ValidationFraction >= 0 && o.ValidationFraction < 1, nameof(o.ValidationFraction), "must be in [0, 1)");
        host.CheckUserArg(o.EarlyStoppingPatience >= 1, nameof(o.EarlyStoppingPatience), "must be at least 1");
        host.CheckUserArg(o.NumberOfThreads == null || o.NumberOfThreads >= 1, nameof(o.NumberOfThreads), "must be at least 1");
        var names = new[] { o.SentenceWeightsColumnName, o.WordWeightsColumnName }.Where(n => n != null).ToArray();
        host.CheckUserArg(names.Distinct().Count() == names.Length, nameof(o.WordWeightsColumnName), "must differ from SentenceWeightsColumnName");
    }

    private OutputColumnNames Columns => new OutputColumnNames(_options.TextColumnName, DefaultColumnNames.Score,
        DefaultColumnNames.PredictedLabel, DefaultColumnNames.Probability, _options.SentenceWeightsColumnName, _options.WordWeightsColumnName);

    /// <summary>Trains on <paramref name="input"/>, holding out <see cref="Options.ValidationFraction"/> of it for early stopping.</summary>
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
        var classes = _task == ClassificationTask.Binary
            ? new ClassNames(new[] { "False", "True" })
            : DocumentClassification.ClassNames.FromLabel(label.Column, label.Classes);

        var seed = o.Seed ?? _host.Rand.Next();
        if (o.NumberOfThreads.HasValue)
            torch.set_num_threads(o.NumberOfThreads.Value);
        torch.random.manual_seed(seed);

        using var channel = _host.Start("Training hierarchical attention network");
        var settings = new TextSettings(o.LowerCase, o.KeepPunctuation, o.MaxSentences, o.MaxWordsPerSentence);
        var tokenizer = settings.CreateTokenizer();
        var train = ReadDocuments(channel, input, text, label, tokenizer, "training");
        if (train.Documents.Count == 0)
            throw _host.Except($"The training data has no rows with a label in column '{label.Column.Name}'.");
        var seen = train.Labels.Distinct().Count();
        if (seen < 2)
            throw _host.Except($"Column '{label.Column.Name}' holds a single class in the training data; a classifier needs at least two.");

        var vocabulary = VocabularyModel.Build(_host, train.Documents, o.MinimumWordCount, o.MaximumVocabularySize, o.TextColumnName);
        channel.Info($"Vocabulary: {vocabulary.Count - 2} words seen at least {o.MinimumWordCount} times.");

        List<int[][]> trainIds, validationIds;
        int[] trainLabels, validationLabels;
        if (validation != null)
        {
            TextColumn.Find(_host, validation.Schema, o.TextColumnName);
            var validationLabel = FindLabel(validation.Schema);
            var held = ReadDocuments(channel, validation, validation.Schema[o.TextColumnName], validationLabel, tokenizer, "validation");
            trainIds = train.Documents.Select(d => ToIds(d, vocabulary)).ToList();
            trainLabels = train.Labels.ToArray();
            validationIds = held.Documents.Select(d => ToIds(d, vocabulary)).ToList();
            validationLabels = held.Labels.ToArray();
        }
        else
        {
            var order = Enumerable.Range(0, train.Documents.Count).ToArray();
            new Random(seed).Shuffle(order);
            int held = (int)Math.Floor(order.Length * o.ValidationFraction);
            if (held >= order.Length)
                held = 0;
            validationIds = order.Take(held).Select(i => ToIds(train.Documents[i], vocabulary)).ToList();
            validationLabels = order.Take(held).Select(i => train.Labels[i]).ToArray();
            trainIds = order.Skip(held).Select(i => ToIds(train.Documents[i], vocabulary)).ToList();
            trainLabels = order.Skip(held).Select(i => train.Labels[i]).ToArray();
        }
        channel.Info($"{trainIds.Count} training documents, {validationIds.Count} validation documents, {classes.Count} classes.");

        var embeddingSize = o.EmbeddingSize;
        PretrainedEmbedding? pretrained = null;
        if (o.PretrainedVectorsPath != null)
        {
            pretrained = PretrainedEmbedding.Load(o.PretrainedVectorsPath, vocabulary, seed);
            embeddingSize = pretrained.Dimension;
            channel.Info($"Pretrained vectors from {o.PretrainedVectorsPath}: dimension {pretrained.Dimension}, " +
                $"{pretrained.Found} of {vocabulary.Count - 2} vocabulary words found.");
        }

        var architecture = new HanArchitecture(vocabulary.Count, embeddingSize, o.Recurrent, o.WordHiddenSize,
            o.SentenceHiddenSize, o.AttentionSize, o.ScoreFunction, o.Dropout, classes.Count);
        var module = new HierarchicalAttentionModule(architecture);
        try
        {
            pretrained?.CopyInto(module.EmbeddingWeight, o.FreezePretrainedVectors);
            var trainingSettings = new TrainingSettings(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.EarlyStoppingPatience,
                o.GradientClipNorm, seed, o.Optimizer, o.Progress);
            HanTrainer.Train(_host, channel, module, trainIds, trainLabels, validationIds, validationLabels, trainingSettings);
        }
        catch
        {
            module.Dispose();
            throw;
        }
        return new HierarchicalAttentionTransformer(_host, _task, Columns, settings, vocabulary, classes, architecture, module)
        {
            OutputCacheMegabytes = o.OutputCacheMegabytes,
        };
    }

    private LabelColumn FindLabel(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw _host.ExceptSchemaMismatch(nameof(schema), "label", _options.LabelColumnName);
        if (_task == ClassificationTask.Binary && !(column.Type is BooleanDataViewType))
            throw _host.ExceptSchemaMismatch(nameof(schema), "label", column.Name, "Boolean", column.Type.ToString());
        if (_task == ClassificationTask.Multiclass && !(column.Type is KeyDataViewType))
            throw _host.ExceptSchemaMismatch(nameof(schema), "label", column.Name,
                "key type (use mlContext.Transforms.Conversion.MapValueToKey)", column.Type.ToString());
        return LabelColumn.Find(_host, schema, _options.LabelColumnName);
    }

    private static int[][] ToIds(TokenizedDocument document, Vocabulary vocabulary) => TokenIds.FromDocument(document, vocabulary);

    private sealed record LabeledDocuments(List<TokenizedDocument> Documents, List<int> Labels);

    /// <summary>Tokenizes every labeled row once; rows with a missing label are skipped, cuts are counted and logged.</summary>
    private LabeledDocuments ReadDocuments(IChannel channel, IDataView data, DataViewSchema.Column text, LabelColumn label,
        DocumentTokenizer tokenizer, string role)
    {
        var documents = new List<TokenizedDocument>();
        var labels = new List<int>();
        int skipped = 0, truncated = 0;
        long droppedSentences = 0, droppedWords = 0;
        using (var cursor = data.GetRowCursor(new[] { text, label.Column }))
        {
            var readText = TextColumn.Reader(cursor, text);
            var readLabel = label.Reader(cursor);
            while (cursor.MoveNext())
            {
                _host.CheckAlive();
                var target = readLabel();
                if (float.IsNaN(target))
                {
                    skipped++;
                    continue;
                }
                var document = tokenizer.Tokenize(readText());
                if (document.IsTruncated)
                {
                    truncated++;
                    droppedSentences += document.DroppedSentenceCount;
                    droppedWords += document.DroppedTokenCount;
                }
                documents.Add(document);
                labels.Add((int)target);
            }
        }
        if (skipped > 0)
            channel.Warning($"Skipped {skipped} {role} rows whose label in column '{label.Column.Name}' is missing.");
        if (truncated > 0)
            channel.Info($"{truncated} of {documents.Count} {role} documents exceed the length limits: {droppedSentences} sentences beyond " +
                $"MaxSentences = {_options.MaxSentences} and {droppedWords} words beyond MaxWordsPerSentence = {_options.MaxWordsPerSentence} are not read.");
        return new LabeledDocuments(documents, labels);
    }

    /// <summary>The schema after the transformer: the input columns plus the classifier's outputs.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.TextColumnName);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        if (_task == ClassificationTask.Multiclass && !label.IsKey)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", label.Name, "key type (use mlContext.Transforms.Conversion.MapValueToKey)", label.GetTypeString());
        if (_task == ClassificationTask.Binary && !(label.ItemType is BooleanDataViewType && label.Kind == SchemaShape.Column.VectorKind.Scalar))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", label.Name, "Boolean", label.GetTypeString());

        var columns = inputSchema.ToDictionary(c => c.Name);
        var scalar = SchemaShape.Column.VectorKind.Scalar;
        var vector = SchemaShape.Column.VectorKind.Vector;
        var variable = SchemaShape.Column.VectorKind.VariableVector;
        void Add(string name, SchemaShape.Column.VectorKind kind, DataViewType type, bool isKey = false, SchemaShape? annotations = null)
            => columns[name] = new SchemaShape.Column(name, kind, type, isKey, annotations);
        if (_task == ClassificationTask.Multiclass)
        {
            // The outputs name the classes after the label's key values: slot names on Score, key values on PredictedLabel.
            var hasNames = label.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues) && keyValues.ItemType is TextDataViewType;
            var slotNames = hasNames ? new SchemaShape(new[] { new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, vector, TextDataViewType.Instance, false) }) : null;
            var keyNames = hasNames ? new SchemaShape(new[] { keyValues }) : null;
            Add(DefaultColumnNames.Score, vector, NumberDataViewType.Single, annotations: slotNames);
            Add(DefaultColumnNames.PredictedLabel, scalar, NumberDataViewType.UInt32, isKey: true, annotations: keyNames);
        }
        else
        {
            Add(DefaultColumnNames.Score, scalar, NumberDataViewType.Single);
            Add(DefaultColumnNames.Probability, scalar, NumberDataViewType.Single);
            Add(DefaultColumnNames.PredictedLabel, scalar, BooleanDataViewType.Instance);
        }
        if (_options.SentenceWeightsColumnName != null)
            Add(_options.SentenceWeightsColumnName, variable, NumberDataViewType.Single);
        if (_options.WordWeightsColumnName != null)
        {
            Add(_options.WordWeightsColumnName, variable, NumberDataViewType.Single);
            Add(Columns.SentenceLengths!, variable, NumberDataViewType.Single);
        }
        return new SchemaShape(columns.Values);
    }
}
