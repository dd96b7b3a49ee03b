using System;
using System.Linq;
using Microsoft.ML.Attention.Pooling;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention;

/// <summary>
/// Estimator for <see cref="AttentionPoolingTransformer"/>: pools a sequence of vectors into one vector.
/// Create it with <c>mlContext.Transforms.AttentionPooling(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input column: a vector of <see cref="float"/>, fixed or variable length, holding T consecutive vectors
/// of size <see cref="Options.VectorSize"/>. T may differ between rows and may be 0.</para>
/// <para>Output columns: <see cref="Options.OutputColumnName"/>, a vector of <see cref="Options.VectorSize"/> floats;
/// <see cref="Options.WeightsColumnName"/> (optional), a variable-length vector of the T weights.</para>
/// <para>The scorer's parameters are initialised from the seed (the <see cref="MLContext"/> seed unless
/// <see cref="Options.Seed"/> is set), so the same seed gives the same transformer.</para>
/// </remarks>
public sealed class AttentionPoolingEstimator : IEstimator<AttentionPoolingTransformer>
{
    /// <summary>Settings of <see cref="AttentionPoolingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the input column: T consecutive vectors of <see cref="VectorSize"/> floats.</summary>
        public string InputColumnName { get; set; } = "Sequence";

        /// <summary>Name of the output column with the pooled vector.</summary>
        public string OutputColumnName { get; set; } = "Pooled";

        /// <summary>Name of an optional output column with the weight of each position; null for none.</summary>
        public string? WeightsColumnName { get; set; }

        /// <summary>Size of each vector of the sequence. Must be at least 1.</summary>
        public int VectorSize { get; set; } = 16;

        /// <summary>Attention (default), or mean or max pooling as baselines.</summary>
        public PoolingMode Mode { get; set; } = PoolingMode.Attention;

        /// <summary>
        /// How each position is scored. Without a query, only the query-free scores apply:
        /// <see cref="AttentionScoreFunction.Location"/> (default; v·tanh(W x + b) against a learned context vector)
        /// and <see cref="AttentionScoreFunction.Mlp"/>.
        /// </summary>
        public AttentionScoreFunction ScoreFunction { get; set; } = AttentionScoreFunction.Location;

        /// <summary>Hidden size of the scorer (the size of tanh(W x + b)). Typical range 8 to 256.</summary>
        public int HiddenSize { get; set; } = 32;

        /// <summary>Seed for parameter initialisation; null takes one from the <see cref="MLContext"/>.</summary>
        public int? Seed { get; set; }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal AttentionPoolingEstimator(IHostEnvironment env, Options options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(AttentionPoolingEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonEmpty(options.InputColumnName, nameof(options.InputColumnName));
        _host.CheckNonEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        _host.CheckUserArg(options.VectorSize >= 1, nameof(options.VectorSize), "must be at least 1");
        _host.CheckUserArg(options.HiddenSize >= 1, nameof(options.HiddenSize), "must be at least 1");
        _host.CheckUserArg(options.WeightsColumnName == null || options.Mode != PoolingMode.Max, nameof(options.WeightsColumnName),
            "max pooling has no weights to report; use attention or mean pooling, or leave WeightsColumnName null");
        _host.CheckUserArg(options.WeightsColumnName != options.OutputColumnName, nameof(options.WeightsColumnName),
            "must differ from OutputColumnName");
        _host.CheckUserArg(options.Mode != PoolingMode.Attention
            || options.ScoreFunction == AttentionScoreFunction.Location || options.ScoreFunction == AttentionScoreFunction.Mlp,
            nameof(options.ScoreFunction), $"{options.ScoreFunction} compares a query with each position; pooling without a query needs Location or Mlp");
        _options = options;
    }

    /// <summary>Builds the transformer. The scorer's parameters come from the seed; the data is only checked.</summary>
    /// <param name="input">Data with the input column.</param>
    public AttentionPoolingTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        SequenceColumn.Find(_host, input.Schema, _options.InputColumnName, _options.VectorSize);

        var architecture = new PoolingArchitecture(_options.Mode, _options.VectorSize, _options.ScoreFunction, _options.HiddenSize);
        var seed = _options.Seed ?? _host.Rand.Next();
        torch.random.manual_seed(seed);
        var module = architecture.Build();
        return new AttentionPoolingTransformer(_host, _options.OutputColumnName, _options.InputColumnName,
            _options.WeightsColumnName, architecture, module);
    }

    /// <summary>The schema after the transformer: the input columns plus the pooled vector and, if named, the weights.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SequenceColumn.Check(_host, inputSchema, _options.InputColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName,
            SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false);
        if (_options.WeightsColumnName != null)
            columns[_options.WeightsColumnName] = new SchemaShape.Column(_options.WeightsColumnName,
                SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, isKey: false);
        return new SchemaShape(columns.Values);
    }
}
