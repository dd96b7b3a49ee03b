using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;

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

    /// <summary>Whether the fit learns from the rows with the seed's draws (a frozen pretrained encoder does not).</summary>
    public bool Trains { get; }

    public string InputColumn { get; }

    /// <summary>The columns the component adds; the first one depends on training.</summary>
    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>The rows the component is fitted on.</summary>
    public abstract IDataView TrainingData(MLContext ml);

    /// <summary>Rows to score: some training rows and the empty inputs, <paramref name="copies"/> times over.</summary>
    public abstract IDataView ScoringData(MLContext ml, int copies = 1);

    /// <summary>Only the empty inputs: empty and missing text, or an empty sequence.</summary>
    public abstract IDataView EmptyInputs(MLContext ml);

    /// <summary>What the pipeline does before the component (the label as a key), or null.</summary>
    public abstract IEstimator<ITransformer>? Prepare(MLContext ml);

    /// <summary>The component's estimator.</summary>
    public abstract IEstimator<ITransformer> Component(MLContext ml);

    /// <summary>Every row of <paramref name="data"/> through a PredictionEngine reading only <paramref name="column"/>, as bits.</summary>
    public abstract List<string> Predict(MLContext ml, ITransformer model, IDataView data, string column);

    /// <summary>
    /// Every row of <paramref name="data"/> through Transform over a view of that row alone, as bits, computing every
    /// output column as a PredictionEngine does.
    /// </summary>
    public abstract List<string> TransformEachRow(MLContext ml, ITransformer model, IDataView data, string column);

    public ITransformer Fit(MLContext ml)
    {
        var prepare = Prepare(ml);
        var pipeline = prepare is null ? Component(ml) : prepare.Append(Component(ml));
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
    private readonly Func<MLContext, IEstimator<ITransformer>> _component;

    public ComponentCase(string name, bool trains, string inputColumn, string[] outputColumns, List<TRow> training, List<TRow> empty,
        Func<MLContext, IEstimator<ITransformer>?> prepare, Func<MLContext, IEstimator<ITransformer>> component)
        : base(name, trains, inputColumn, outputColumns)
        => (_training, _empty, _prepare, _component) = (training, empty, prepare, component);

    public override IDataView TrainingData(MLContext ml) => ml.Data.LoadFromEnumerable(_training);

    public override IDataView ScoringData(MLContext ml, int copies = 1)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, copies).SelectMany(_ => _training.Take(24).Concat(_empty)));

    public override IDataView EmptyInputs(MLContext ml) => ml.Data.LoadFromEnumerable(_empty);

    public override IEstimator<ITransformer>? Prepare(MLContext ml) => _prepare(ml);

    public override IEstimator<ITransformer> Component(MLContext ml) => _component(ml);

    public override List<string> Predict(MLContext ml, ITransformer model, IDataView data, string column)
    {
        var rows = ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false).ToList();
        var type = model.GetOutputSchema(data.Schema)[column].Type;
        return type switch
        {
            VectorDataViewType => Predict<VectorOutput>(ml, model, rows, column, o => ContractOutputs.Bits(o.Values)),
            KeyDataViewType => Predict<KeyOutput>(ml, model, rows, column, o => o.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            BooleanDataViewType => Predict<BooleanOutput>(ml, model, rows, column, o => o.Value ? "true" : "false"),
            _ => Predict<ScalarOutput>(ml, model, rows, column, o => ContractOutputs.Bits(new[] { o.Value })),
        };
    }

    public override List<string> TransformEachRow(MLContext ml, ITransformer model, IDataView data, string column)
        => ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false)
            .Select(row => ContractOutputs.Read(model.Transform(ml.Data.LoadFromEnumerable(new[] { row })), column, OutputColumns).Single()).ToList();

    private static List<string> Predict<TOutput>(MLContext ml, ITransformer model, List<TRow> rows, string column, Func<TOutput, string> bits)
        where TOutput : class, new()
    {
        var output = SchemaDefinition.Create(typeof(TOutput));
        output[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<TRow, TOutput>(model,
            new PredictionEngineOptions { OutputSchemaDefinition = output, OwnsTransformer = false });
        return rows.Select(row => bits(engine.Predict(row))).ToList();
    }

    public sealed class VectorOutput
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    public sealed class ScalarOutput
    {
        public float Value { get; set; }
    }

    public sealed class KeyOutput
    {
        public uint Value { get; set; }
    }

    public sealed class BooleanOutput
    {
        public bool Value { get; set; }
    }
}

/// <summary>A document with a Boolean label, for the binary classifiers.</summary>
public sealed class BinaryDocumentRow
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
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
            Keyed, ml => ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", WeightsColumnName = "Weights", LabelColumnName = "Label",
                VectorSize = 4, AttentionSize = 8, NumberOfEpochs = 1, BatchSize = 16,
            })),
        Han => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Score", "PredictedLabel", "SentenceWeights", "WordWeights", "WordWeightsSentenceLengths" },
            SyntheticDocuments.Generate(48, seed: 3), EmptyTexts(t => new DocumentRow { Text = t, Label = "budget" }),
            Keyed, ml => ml.MulticlassClassification.Trainers.HierarchicalAttention(TinyHan())),
        HanBinary => new ComponentCase<BinaryDocumentRow>(name, trains: true, "Text", new[] { "Score", "Probability", "PredictedLabel" },
            SyntheticDocuments.Generate(48, seed: 3).Select(r => new BinaryDocumentRow { Text = r.Text, Label = r.Label is "budget" or "merger" }).ToList(),
            EmptyTexts(t => new BinaryDocumentRow { Text = t }),
            _ => null, ml => ml.BinaryClassification.Trainers.HierarchicalAttention(TinyHan())),
        Featurizer => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(48), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, ml =>
            {
                var options = FeaturizerTestSettings.Small("Label", epochs: 1);
                options.Width = 16;
                options.FeedForwardSize = 32;
                options.NumberOfLayers = 1;
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.SelfAttentionFeaturize(options);
            }),
        PretrainedFrozen => new ComponentCase<DocumentRow>(name, trains: false, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            _ => null, ml =>
            {
                var options = PretrainedEncoderTests.Frozen(RandomBertFolder.Value);
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.ApplyPretrainedEncoder(options);
            }),
        PretrainedFineTuned => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Embedding", "TokenWeights" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, ml =>
            {
                var options = PretrainedEncoderTests.FineTuning(RandomBertFolder.Value, epochs: 1);
                options.TokenWeightsColumnName = "TokenWeights";
                return ml.Transforms.Text.ApplyPretrainedEncoder(options);
            }),
        Classifier => new ComponentCase<DocumentRow>(name, trains: true, "Text", new[] { "Score", "PredictedLabel" },
            OrderRows(32), EmptyTexts(t => new DocumentRow { Text = t, Label = "alpha-first" }),
            Keyed, ml => ml.MulticlassClassification.Trainers.PretrainedTextClassifier(PretrainedTextClassifierTests.Settings(RandomBertFolder.Value, epochs: 1))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such component"),
    };

    private static IEstimator<ITransformer> Keyed(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label");

    private static List<TRow> EmptyTexts<TRow>(Func<string, TRow> row) => new() { row(""), row(null!) };

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
