using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;

namespace Microsoft.ML.Attention.Tests.Contracts;

/// <summary>
/// What the contract suite needs of a component: generated rows, the estimator with tiny settings, the columns it adds.
/// A new component joins the suite with one factory in <see cref="ComponentFactories.Get"/> and its name in
/// <see cref="ComponentFactories.All"/>.
/// </summary>
internal abstract class ComponentCase
{
    protected ComponentCase(string name, bool trains, string inputColumn, params string[] outputColumns)
        => (Name, Trains, InputColumn, OutputColumns) = (name, trains, inputColumn, outputColumns);

    public string Name { get; }

    /// <summary>Whether the fit learns from the rows with the seed's draws, in epochs (a frozen pretrained encoder does not).</summary>
    public bool Trains { get; }

    public string InputColumn { get; }

    /// <summary>The columns the component adds; the first one depends on training.</summary>
    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>The rows the component is fitted on.</summary>
    public abstract IDataView TrainingData(MLContext ml);

    /// <summary>Rows to score: some training rows and the empty inputs, <paramref name="copies"/> times over.</summary>
    public abstract IDataView ScoringData(MLContext ml, int copies = 1);

    /// <summary>Only the empty inputs: empty, blank and missing text, or an empty sequence.</summary>
    public abstract IDataView EmptyInputs(MLContext ml);

    /// <summary>What the pipeline does before the component (the label as a key), or null.</summary>
    public abstract IEstimator<ITransformer>? Prepare(MLContext ml);

    /// <summary>The component's estimator.</summary>
    public IEstimator<ITransformer> Component(MLContext ml) => Component(ml, train: null);

    /// <summary>The component's estimator training for <paramref name="epochs"/> and reporting to <paramref name="progress"/>.</summary>
    public IEstimator<ITransformer> Component(MLContext ml, int epochs, Action<TrainingProgress>? progress)
        => Component(ml, train: options =>
        {
            options.NumberOfEpochs = epochs;
            options.Progress = progress;
        });

    /// <summary>The component's estimator, its training options changed by <paramref name="train"/> when given.</summary>
    protected abstract IEstimator<ITransformer> Component(MLContext ml, Action<AttentionTrainingOptions>? train);

    /// <summary>Every row of <paramref name="data"/> through a PredictionEngine reading only <paramref name="column"/>, as bits.</summary>
    public abstract List<string> Predict(MLContext ml, ITransformer model, IDataView data, string column);

    /// <summary>
    /// Every row of <paramref name="data"/> through Transform over a view of that row alone, as bits, computing every
    /// output column as a PredictionEngine does.
    /// </summary>
    public abstract List<string> TransformEachRow(MLContext ml, ITransformer model, IDataView data, string column);

    /// <summary>
    /// Saves <paramref name="model"/>, loads it in a fresh process (tests/Microsoft.ML.Attention.LoadCheck) and checks that
    /// it scores <paramref name="data"/> in every output column bit for bit as here, through Transform and a PredictionEngine.
    /// </summary>
    public abstract void AssertScoresIdenticallyInAFreshProcess(MLContext ml, ITransformer model, IDataView data);

    public ITransformer Fit(MLContext ml) => Fit(ml, Component(ml));

    /// <summary>Fits the pipeline with the component training for <paramref name="epochs"/> and reporting to <paramref name="progress"/>.</summary>
    public ITransformer Fit(MLContext ml, int epochs, Action<TrainingProgress>? progress) => Fit(ml, Component(ml, epochs, progress));

    private ITransformer Fit(MLContext ml, IEstimator<ITransformer> component)
    {
        var prepare = Prepare(ml);
        var pipeline = prepare is null ? component : prepare.Append(component);
        return pipeline.Fit(TrainingData(ml));
    }

    public override string ToString() => Name;
}

/// <inheritdoc/>
/// <typeparam name="TRow">The rows' class, for the PredictionEngine.</typeparam>
internal sealed class ComponentCase<TRow> : ComponentCase where TRow : class, new()
{
    private readonly List<TRow> _training;
    private readonly List<TRow> _empty;
    private readonly Func<MLContext, IEstimator<ITransformer>?> _prepare;
    private readonly Func<MLContext, Action<AttentionTrainingOptions>?, IEstimator<ITransformer>> _component;

    /// <param name="component">The estimator, built from options that the given action (when not null) changes first.</param>
    public ComponentCase(string name, bool trains, string inputColumn, string[] outputColumns, List<TRow> training, List<TRow> empty,
        Func<MLContext, IEstimator<ITransformer>?> prepare, Func<MLContext, Action<AttentionTrainingOptions>?, IEstimator<ITransformer>> component)
        : base(name, trains, inputColumn, outputColumns)
        => (_training, _empty, _prepare, _component) = (training, empty, prepare, component);

    public override IDataView TrainingData(MLContext ml) => ml.Data.LoadFromEnumerable(_training);

    public override IDataView ScoringData(MLContext ml, int copies = 1)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, copies).SelectMany(_ => _training.Take(24).Concat(_empty)));

    public override IDataView EmptyInputs(MLContext ml) => ml.Data.LoadFromEnumerable(_empty);

    public override IEstimator<ITransformer>? Prepare(MLContext ml) => _prepare(ml);

    protected override IEstimator<ITransformer> Component(MLContext ml, Action<AttentionTrainingOptions>? train) => _component(ml, train);

    public override List<string> Predict(MLContext ml, ITransformer model, IDataView data, string column)
        => ScoreDump.Predict(ml, model, ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false).ToList(), column);

    public override List<string> TransformEachRow(MLContext ml, ITransformer model, IDataView data, string column)
        => ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false)
            .Select(row => ScoreDump.Read(model.Transform(ml.Data.LoadFromEnumerable(new[] { row })), column, OutputColumns).Single()).ToList();

    public override void AssertScoresIdenticallyInAFreshProcess(MLContext ml, ITransformer model, IDataView data)
        => FreshProcess.AssertScoresIdentically<TRow>(ml, model, data, OutputColumns.ToArray());
}

/// <summary>One factory per component: tiny settings, one epoch, a few dozen generated rows.</summary>
internal static class ComponentFactories
{
    public const string Pooling = "attention pooling";
    public const string Han = "HAN, multiclass";
    public const string HanBinary = "HAN, binary";
    public const string Featurizer = "self-attention featurizer";
    public const string PretrainedFrozen = "pretrained encoder, frozen";
    public const string PretrainedFineTuned = "pretrained encoder, fine-tuned";
    public const string Classifier = "pretrained text classifier";

    /// <summary>Every component the contract suite runs.</summary>
    public static readonly string[] All = { Pooling, Han, HanBinary, Featurizer, PretrainedFrozen, PretrainedFineTuned, Classifier };

    private static readonly Lazy<string> RandomBertFolder = new(() =>
        RandomBert.Write(Path.Combine(Path.GetTempPath(), $"contracts-random-bert-{Environment.ProcessId}")));

    /// <summary>Deletes the files the factories wrote.</summary>
    public static void Cleanup()
    {
        if (RandomBertFolder.IsValueCreated && Directory.Exists(RandomBertFolder.Value))
            Directory.Delete(RandomBertFolder.Value, recursive: true);
    }

    public static ComponentCase Get(string name) => name switch
    {
        Pooling => new ComponentCase<SequenceRow>(name, trains: true, "Sequence", new[] { "Pooled", "Weights" },
            SequenceData.Generate(48, vectorSize: 4, seed: 3), new List<SequenceRow> { new() { Label = "yes" } },
            Keyed, (ml, train) => ml.Transforms.AttentionPooling(Changed(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", WeightsColumnName = "Weights", LabelColumnName = "Label",
                VectorSize = 4, AttentionSize = 8, NumberOfEpochs = 1, BatchSize = 16,
            }, train))),
        Han => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Score", "PredictedLabel", "SentenceWeights", "WordWeights", "WordWeightsSentenceLengths" },
            SyntheticDocuments.Generate(48, seed: 3), EmptyTexts(t => new DocumentRow { Text = t, Label = "budget" }),
            Keyed, (ml, train) => ml.MulticlassClassification.Trainers.HierarchicalAttention(Changed(TinyHan(), train))),
        HanBinary => new ComponentCase<BinaryDocumentRow>(name, trains: true, "Text", new[] { "Score", "Probability", "PredictedLabel" },
            SyntheticDocuments.Generate(48, seed: 3).Select(r => new BinaryDocumentRow { Text = r.Text, Label = r.Label is "budget" or "merger" }).ToList(),
            EmptyTexts(t => new BinaryDocumentRow { Text = t }),
            _ => null, (ml, train) => ml.BinaryClassification.Trainers.HierarchicalAttention(Changed(TinyHan(), train))),
        Featurizer => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(48), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, (ml, train) =>
            {
                var options = FeaturizerTestSettings.Small("Label", epochs: 1);
                options.Width = 16;
                options.FeedForwardSize = 32;
                options.NumberOfLayers = 1;
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.SelfAttentionFeaturize(Changed(options, train));
            }),
        PretrainedFrozen => new ComponentCase<DocumentRow>(name, trains: false, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            _ => null, (ml, train) =>
            {
                var options = PretrainedEncoderTests.Frozen(RandomBertFolder.Value);
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.ApplyPretrainedEncoder(Changed(options, train));
            }),
        PretrainedFineTuned => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, (ml, train) =>
            {
                var options = PretrainedEncoderTests.FineTuning(RandomBertFolder.Value, epochs: 1);
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.ApplyPretrainedEncoder(Changed(options, train));
            }),
        Classifier => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Score", "PredictedLabel" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, (ml, train) => ml.MulticlassClassification.Trainers.PretrainedTextClassifier(Changed(PretrainedTextClassifierTests.Settings(RandomBertFolder.Value, epochs: 1), train))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such component"),
    };

    private static IEstimator<ITransformer> Keyed(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label");

    private static TOptions Changed<TOptions>(TOptions options, Action<AttentionTrainingOptions>? train) where TOptions : AttentionTrainingOptions
    {
        train?.Invoke(options);
        return options;
    }

    private static List<TRow> EmptyTexts<TRow>(Func<string, TRow> row) => new() { row(""), row("   "), row(null!) };

    private static List<DocumentRow> OrderRows(int count)
        => OrderTask.Generate(count, seed: 3).Select(r => new DocumentRow { Text = r.Text, Label = r.Label }).ToList();

    private static HierarchicalAttentionTrainer.Options TinyHan()
    {
        var options = HanTestSettings.Small(epochs: 1);
        options.EmbeddingSize = 8;
        options.WordHiddenSize = 4;
        options.SentenceHiddenSize = 4;
        options.AttentionSize = 4;
        options.BatchSize = 16;
        return options;
    }
}
