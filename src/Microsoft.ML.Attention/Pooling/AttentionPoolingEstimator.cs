using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pooling;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention;

/// <summary>
/// Estimator for <see cref="AttentionPoolingTransformer"/>: pools a sequence of vectors into one vector,
/// weighting each position by learned attention. Create it with <c>mlContext.Transforms.AttentionPooling(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input column: a vector of <see cref="float"/>, fixed or variable length, holding T consecutive vectors
/// of size <see cref="Options.VectorSize"/>. T may differ between rows and may be 0.</para>
/// <para>Output columns: <see cref="Options.OutputColumnName"/>, a vector of <see cref="Options.VectorSize"/> floats
/// (or <see cref="Options.OutputSize"/> with a projection); <see cref="Options.WeightsColumnName"/> (optional),
/// a variable-length vector of the T weights, summing to 1 (empty when T = 0).</para>
/// <para>Learning: with <see cref="Options.LabelColumnName"/> set, <c>Fit</c> trains the pooling together with a
/// temporary linear head on the label (key: classification; Boolean: two classes; Single: regression) with Adam,
/// mini-batches and early stopping on a validation fraction, then keeps the pooling. With
/// <see cref="Options.QueryColumnName"/> and a parameter-free score (Dot, ScaledDot, Cosine) nothing needs training.
/// Mean and max pooling are baselines that train nothing unless <see cref="Options.OutputSize"/> asks for a learned
/// projection (which needs a label).</para>
/// <para>The same <see cref="MLContext"/> seed (or <see cref="AttentionTrainingOptions.Seed"/>) gives the same transformer.</para>
/// </remarks>
public sealed class AttentionPoolingEstimator : IEstimator<AttentionPoolingTransformer>
{
    /// <summary>The defaults of <see cref="Options"/> and of the catalog's short overload.</summary>
    internal static class Defaults
    {
        public const string InputColumnName = "Sequence";
        public const string OutputColumnName = "Pooled";
        public const int VectorSize = 16;
        public const PoolingMode Mode = PoolingMode.Attention;
        public const int NumberOfEpochs = 20;
        public const int BatchSize = 32;
        public const double LearningRate = 0.01;
        public const int EarlyStoppingPatience = 3;
        public const double GradientClipNorm = 5.0;
    }

    /// <summary>Settings of <see cref="AttentionPoolingEstimator"/>. Defaults suit a laptop CPU.</summary>
    public sealed class Options : AttentionTrainingOptions
    {
        /// <summary>Default settings: 20 epochs, batches of 32, learning rate 0.01, patience 3, gradient clipping at norm 5.</summary>
        public Options() : base(AttentionPoolingEstimator.Defaults.NumberOfEpochs, AttentionPoolingEstimator.Defaults.BatchSize, AttentionPoolingEstimator.Defaults.LearningRate, AttentionPoolingEstimator.Defaults.EarlyStoppingPatience, AttentionPoolingEstimator.Defaults.GradientClipNorm)
        {
        }

        /// <summary>Name of the input column: T consecutive vectors of <see cref="VectorSize"/> floats.</summary>
        /// <remarks>Default "Sequence". A vector of Single (fixed or variable length) whose length is a multiple of <see cref="VectorSize"/>.</remarks>
        public string InputColumnName { get; set; } = AttentionPoolingEstimator.Defaults.InputColumnName;

        /// <summary>Name of the output column with the pooled vector.</summary>
        /// <remarks>Default "Pooled".</remarks>
        public string OutputColumnName { get; set; } = AttentionPoolingEstimator.Defaults.OutputColumnName;

        /// <summary>Name of an optional output column with the weight of each position; null for none.</summary>
        /// <remarks>Default null (no weights column). Not available with <see cref="PoolingMode.Max"/>; must differ from <see cref="OutputColumnName"/>.</remarks>
        public string? WeightsColumnName { get; set; }

        /// <summary>Name of the label column to learn from; null to train nothing (see the remarks of the estimator).</summary>
        /// <remarks>Default null. A key (classification), Boolean (two classes) or Single (regression) column. Needed by attention with a learned score and by <see cref="OutputSize"/> &gt; 0.</remarks>
        public string? LabelColumnName { get; set; }

        /// <summary>
        /// Name of an optional column with a query vector per row (cross-attention): each position is scored
        /// against the query. Needs a score that uses a query (Dot, ScaledDot, Cosine, General, Additive, Mlp).
        /// </summary>
        /// <remarks>Default null (no query; self-contained pooling). A vector of Single of known size; with Dot, ScaledDot or Cosine its size must equal <see cref="VectorSize"/>.</remarks>
        public string? QueryColumnName { get; set; }

        /// <summary>Size of each vector of the sequence. At least 1.</summary>
        /// <remarks>Default 16. At least 1; must match how the input column was built (its length is T × VectorSize).</remarks>
        public int VectorSize { get; set; } = AttentionPoolingEstimator.Defaults.VectorSize;

        /// <summary>Attention (default), or mean or max pooling as baselines.</summary>
        /// <remarks>Default <see cref="PoolingMode.Attention"/>. Use Mean or Max to measure what attention adds.</remarks>
        public PoolingMode Mode { get; set; } = AttentionPoolingEstimator.Defaults.Mode;

        /// <summary>
        /// How each position is scored. Without a query column: <see cref="AttentionScoreFunction.Location"/> (default,
        /// vᵀ tanh(W x + b) against a learned context vector) or <see cref="AttentionScoreFunction.Mlp"/>.
        /// With a query column: any score but Location.
        /// </summary>
        /// <remarks>Default <see cref="AttentionScoreFunction.Location"/>. Sweep Location and Mlp without a query; Dot, ScaledDot, Cosine, General, Additive and Mlp with one.</remarks>
        public AttentionScoreFunction ScoreFunction { get; set; } = AttentionScoreFunction.Location;

        /// <summary>
        /// How scores become weights: Soft (softmax, default), Hard (one position; Gumbel straight-through while
        /// training), or LocalPredictive (a Gaussian window around a predicted position). Local (local-m) aligns
        /// query i with position i and does not apply to pooling.
        /// </summary>
        /// <remarks>Default <see cref="AttentionDistributionKind.Soft"/>. Soft, Hard or LocalPredictive; Local is rejected.</remarks>
        public AttentionDistributionKind Distribution { get; set; } = AttentionDistributionKind.Soft;

        /// <summary>Number of attention heads; their pooled vectors and weights are averaged.</summary>
        /// <remarks>Default 1. Typical range 1–8.</remarks>
        public int NumberOfHeads { get; set; } = 1;

        /// <summary>Hidden size of the scorer (Additive, Location, Mlp).</summary>
        /// <remarks>Default 32. Typical range 8–256. At least 1.</remarks>
        public int AttentionSize { get; set; } = 32;

        /// <summary>Size of a learned projection of the pooled vector; 0 (default) for none. Needs a label.</summary>
        /// <remarks>Default 0 (the output has <see cref="VectorSize"/> values). Typical range 0 or 8–256. At least 0.</remarks>
        public int OutputSize { get; set; }

        /// <summary>Half-width D of the LocalPredictive window (Gaussian with σ = D/2).</summary>
        /// <remarks>Default 2. Used by LocalPredictive only; at least 1, typical range 1–10 positions.</remarks>
        public int LocalHalfWidth { get; set; } = 2;

        /// <summary>Temperature of the Gumbel-softmax of hard attention during training.</summary>
        /// <remarks>Default 1.0. Used by Hard only; greater than 0, typical range 0.5–2 (lower is closer to a one-hot choice).</remarks>
        public double Temperature { get; set; } = 1.0;

        /// <summary>What to do with NaN or infinite values in the sequence.</summary>
        /// <remarks>Default <see cref="NonFiniteValueHandling.Throw"/>. Use MaskPosition when missing readings are expected.</remarks>
        public NonFiniteValueHandling NonFiniteValues { get; set; } = NonFiniteValueHandling.Throw;

    }

    private readonly IHost _host;
    private readonly Options _options;

    internal AttentionPoolingEstimator(IHostEnvironment env, Options options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(AttentionPoolingEstimator));
        _host.CheckValue(options, nameof(options));
        Validate(_host, options);
        _options = options;
    }

    private static void Validate(IHost host, Options o)
    {
        o.ValidateTraining(host);
        host.CheckNonEmpty(o.InputColumnName, nameof(o.InputColumnName));
        host.CheckNonEmpty(o.OutputColumnName, nameof(o.OutputColumnName));
        host.CheckUserArg(o.VectorSize >= 1, nameof(o.VectorSize), "must be at least 1");
        host.CheckUserArg(o.AttentionSize >= 1, nameof(o.AttentionSize), "must be at least 1");
        host.CheckUserArg(o.NumberOfHeads >= 1, nameof(o.NumberOfHeads), "must be at least 1");
        host.CheckUserArg(o.OutputSize >= 0, nameof(o.OutputSize), "must be 0 (no projection) or positive");
        host.CheckUserArg(o.Temperature > 0, nameof(o.Temperature), "must be positive");
        host.CheckUserArg(o.WeightsColumnName == null || o.Mode != PoolingMode.Max, nameof(o.WeightsColumnName),
            "max pooling has no weights to report; use attention or mean pooling, or leave WeightsColumnName null");
        host.CheckUserArg(o.WeightsColumnName != o.OutputColumnName, nameof(o.WeightsColumnName), "must differ from OutputColumnName");

        host.CheckUserArg(o.Mode != PoolingMode.FirstToken, nameof(o.Mode),
            "FirstToken pools the featurizer's classification token, which a column of vectors does not have: use Attention, Mean or Max");
        if (o.Mode != PoolingMode.Attention)
        {
            host.CheckUserArg(o.QueryColumnName == null, nameof(o.QueryColumnName), $"{o.Mode} pooling uses no query");
            host.CheckUserArg(o.OutputSize == 0 || o.LabelColumnName != null, nameof(o.OutputSize), "a projection must be learned: set LabelColumnName");
            host.CheckUserArg(o.TeacherScoreColumnName == null || o.OutputSize > 0, nameof(o.TeacherScoreColumnName),
                $"{o.Mode} pooling without a projection learns nothing, so there is nothing to distil: use Attention pooling, or set OutputSize");
            return;
        }
        host.CheckUserArg(o.Distribution != AttentionDistributionKind.Local, nameof(o.Distribution),
            "Local (local-m) centres query i's window on position i; pooling has one query: use LocalPredictive");
        host.CheckUserArg(o.Distribution != AttentionDistributionKind.LocalPredictive || o.LocalHalfWidth >= 1, nameof(o.LocalHalfWidth),
            "must be at least 1 for LocalPredictive");
        if (o.QueryColumnName == null)
            host.CheckUserArg(!o.ScoreFunction.RequiresQuery(), nameof(o.ScoreFunction),
                $"{o.ScoreFunction} compares a query with each position: set QueryColumnName, or use Location or Mlp");
        else
            host.CheckUserArg(o.ScoreFunction.AcceptsQuery(), nameof(o.ScoreFunction),
                "Location ignores the query; with QueryColumnName use Dot, ScaledDot, Cosine, General, Additive or Mlp");

        bool parameterFree = o.ScoreFunction.IsParameterFree() && o.Distribution != AttentionDistributionKind.LocalPredictive
            && o.OutputSize == 0;
        host.CheckUserArg(parameterFree || o.LabelColumnName != null, nameof(o.LabelColumnName),
            $"attention pooling with the {o.ScoreFunction} score" + (o.OutputSize > 0 ? " and a projection" : "")
            + " has parameters to learn: set LabelColumnName, or use Mean or Max pooling, or a query column with Dot, ScaledDot or Cosine");
    }

    /// <summary>Checks the columns, trains the pooling on the label if one was named, and returns the transformer.</summary>
    /// <param name="input">Training data with the input column (and label and query columns if named).</param>
    public AttentionPoolingTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        var sequence = SequenceColumn.Find(_host, input.Schema, o.InputColumnName, o.VectorSize);
        DataViewSchema.Column? query = o.QueryColumnName == null ? null : SequenceColumn.FindQuery(_host, input.Schema, o.QueryColumnName, 0);
        var label = o.LabelColumnName == null || o.Mode != PoolingMode.Attention && o.OutputSize == 0
            ? null : LabelColumn.Find(_host, input.Schema, o.LabelColumnName);
        int querySize = query.HasValue ? ((VectorDataViewType)query.Value.Type).Size : 0;
        if (querySize > 0 && o.ScoreFunction.NeedsEqualSizes() && querySize != o.VectorSize)
            throw _host.ExceptSchemaMismatch(nameof(input), "query", o.QueryColumnName!, $"Vector<Single, {o.VectorSize}> (the {o.ScoreFunction} score compares it with vectors of size {o.VectorSize})",
                query!.Value.Type.ToString());
        // Only a pooling that learns from the label can learn from a teacher.
        var teacher = TeacherScores.Find(_host, input.Schema, o.TeacherScoreColumnName, label);

        var architecture = new PoolingArchitecture(o.Mode, o.VectorSize, o.ScoreFunction, o.Distribution, o.NumberOfHeads,
            o.AttentionSize, querySize, o.OutputSize, o.LocalHalfWidth, o.Temperature);
        using var run = TrainingRun.Begin(_host, o);
        var seed = run.Seed;
        var generator = new torch.Generator((ulong)seed);
        var module = FitGenerator.Draw(() => architecture.Build(generator));
        try
        {
            if (label != null)
            {
                using var channel = _host.Start("Training attention pooling");
                var columns = query.HasValue ? new[] { sequence, query.Value } : new[] { sequence };
                var data = TrainingRun.Read(_host, channel, input, columns, label,
                    cursor => SequenceColumn.Reader(_host, cursor, sequence, query, o.VectorSize, o.NonFiniteValues), "training", teacher);
                if (data.Rows.Count == 0)
                    throw _host.Except($"Column '{label.Column.Name}' has no usable label in the training data ({data.Skipped} rows with a missing label); attention pooling has nothing to learn from.");
                // Every sequence empty (T = 0) gives the pooling no position to weight: training would run and learn nothing.
                if (data.Rows.All(r => r.Values.Length == 0))
                    throw _host.Except($"No row of '{sequence.Name}' has a non-empty sequence to learn from ({data.Rows.Count} labelled rows, all with T = 0); attention pooling has nothing to learn.");
                if (!label.IsRegression && label.Classes < 2)
                    throw _host.Except($"Column '{label.Column.Name}' has a single class; classification needs at least two.");
                AttentionPoolingTraining.Train(_host, channel, module, architecture, data, label, o.ToSettings(seed), o.ValidationFraction,
                    o.ToDistillation(data.Teacher));
            }
        }
        catch
        {
            module.Dispose();
            throw;
        }
        return new AttentionPoolingTransformer(_host, o.OutputColumnName, o.InputColumnName, o.WeightsColumnName,
            o.QueryColumnName, o.NonFiniteValues, architecture, module) { OutputCacheMegabytes = o.OutputCacheMegabytes };
    }

    /// <summary>The schema after the transformer: the input columns plus the pooled vector and, if named, the weights.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SequenceColumn.Check(_host, inputSchema, _options.InputColumnName, "input");
        if (_options.QueryColumnName != null)
            SequenceColumn.Check(_host, inputSchema, _options.QueryColumnName, "query");
        if (_options.LabelColumnName != null && (_options.Mode == PoolingMode.Attention || _options.OutputSize > 0))
            LabelColumn.Check(_host, inputSchema, _options.LabelColumnName);
        TeacherScores.Check(_host, inputSchema, _options.TeacherScoreColumnName,
            _options.Mode == PoolingMode.Attention || _options.OutputSize > 0 ? _options.LabelColumnName : null);
        return new VectorOutputs(_options.OutputColumnName, _options.WeightsColumnName)
            .AddTo(inputSchema, _options.OutputSize > 0 ? _options.OutputSize : _options.VectorSize);
    }
}
