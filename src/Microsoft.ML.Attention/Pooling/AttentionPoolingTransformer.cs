using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pooling;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(AttentionPoolingTransformer), null, typeof(SignatureLoadModel),
    "Attention Pooling Transformer", AttentionPoolingTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(AttentionPoolingTransformer), null, typeof(SignatureLoadRowMapper),
    "Attention Pooling Transformer", AttentionPoolingTransformer.LoaderSignature)]

namespace Microsoft.ML.Attention;

/// <summary>
/// Turns a column holding a sequence of vectors into one vector, and optionally a column with the
/// weight each position received. Created by <see cref="AttentionPoolingEstimator"/>.
/// </summary>
/// <remarks>
/// Input: a vector of <see cref="float"/> (fixed or variable length) holding T consecutive vectors of
/// size <c>VectorSize</c>, and the query column when one was named. Outputs: the pooled vector (length
/// <see cref="OutputSize"/>) and, when a weights column was named, a variable-length vector of T weights
/// summing to 1 (empty when T = 0; 0 at masked positions).
/// <para>ONNX: <c>mlContext.Model.ConvertToOnnx</c> exports every mode, score function and distribution as it scores
/// (hard attention as the argmax of the scores). The graph takes the input column as [N, T × VectorSize] and masks a
/// position holding a NaN or infinite value, whatever <see cref="NonFiniteValues"/> says (a graph cannot fail a row):
/// rows of different lengths are scored together by padding them with NaN to the longest, and their weights are then 0
/// at the padding.</para>
/// </remarks>
public sealed class AttentionPoolingTransformer : AttentionTransformerBase
{
    // At most 24 characters: the model header stores it in a fixed field.
    internal const string LoaderSignature = "AttnPoolingTransformer";
    private const string WeightsStream = "PoolingModule";

    // Version history: see ModelFormat.
    private static VersionInfo GetVersionInfo() => ModelFormat.Version("ATTNPOOL", LoaderSignature, typeof(AttentionPoolingTransformer));

    private readonly SequencePoolingModule _module;
    private readonly PoolingArchitecture _architecture;

    /// <summary>Name of the input column with the sequence of vectors.</summary>
    public string InputColumnName { get; }

    /// <summary>Name of the output column with the pooled vector.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the output column with the attention weights, or null when not produced.</summary>
    public string? WeightsColumnName { get; }

    /// <summary>Name of the query column (cross-attention), or null when the pooling uses no query.</summary>
    public string? QueryColumnName { get; }

    /// <summary>What happens to NaN or infinite values in the sequence.</summary>
    public NonFiniteValueHandling NonFiniteValues { get; }

    /// <summary>Size of each vector of the sequence.</summary>
    public int VectorSize => _architecture.VectorSize;

    /// <summary>Size of the pooled vector: <see cref="VectorSize"/>, or the size of the learned projection.</summary>
    public int OutputSize => _architecture.PooledSize;

    /// <summary>How the sequence is pooled.</summary>
    public PoolingMode Mode => _architecture.Mode;

    internal AttentionPoolingTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName,
        string? weightsColumnName, string? queryColumnName, NonFiniteValueHandling nonFiniteValues,
        PoolingArchitecture architecture, SequencePoolingModule module)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(AttentionPoolingTransformer)), module)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        WeightsColumnName = weightsColumnName;
        QueryColumnName = queryColumnName;
        NonFiniteValues = nonFiniteValues;
        _architecture = architecture;
        _module = module;
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    // Every load error names the model file and the component's entry.
    private static AttentionPoolingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelFormat.Load(ctx, () => Read(env, ctx));

    private static AttentionPoolingTransformer Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ModelFormat.CheckVersion(ctx, GetVersionInfo(), "attention pooling");

        // *** Binary format ***
        // int: id of the output column name
        // int: id of the input column name
        // int: id of the weights column name, or -1 when there is none
        // int: id of the query column name, or -1 when there is none
        // int: handling of non-finite values
        // stream "PoolingModule": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        var output = ModelFormat.ColumnName(ctx, "output")!;
        var input = ModelFormat.ColumnName(ctx, "input")!;
        var weights = ModelFormat.ColumnName(ctx, "weights", optional: true);
        var query = ModelFormat.ColumnName(ctx, "query", optional: true);
        var nonFinite = (NonFiniteValueHandling)ctx.Reader.ReadInt32();
        if (!Enum.IsDefined(nonFinite))
            throw ModelFormat.Error("header", $"unknown handling of non-finite values {(int)nonFinite}.");
        ModelFormat.CheckAtEnd(ctx, "attention pooling");
        var (architecture, module) = ModuleCheckpoint.Load(ctx, WeightsStream, "pooling architecture", (PoolingArchitecture a) =>
        {
            // A query column is saved exactly when the scores take a query; otherwise scoring fails at the first row.
            if ((query is null) != (a.QuerySize == 0))
                throw ModelFormat.Error("pooling architecture", $"QuerySize {a.QuerySize} does not fit the "
                    + (query is null ? "model, which names no query column." : $"query column '{query}' (a query column means QuerySize > 0)."));
            return a.Build();
        });
        return new AttentionPoolingTransformer(env, output, input, weights, query, nonFinite, architecture, module);
    }

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // *** Binary format ***
        // int: id of the output column name
        // int: id of the input column name
        // int: id of the weights column name, or -1 when there is none
        // int: id of the query column name, or -1 when there is none
        // int: handling of non-finite values
        // stream "PoolingModule": the module checkpoint (architecture, then weights; see ModuleCheckpoint)
        ctx.SaveNonEmptyString(OutputColumnName);
        ctx.SaveNonEmptyString(InputColumnName);
        ctx.SaveStringOrNull(WeightsColumnName);
        ctx.SaveStringOrNull(QueryColumnName);
        ctx.Writer.Write((int)NonFiniteValues);
        ModuleCheckpoint.Save(ctx, WeightsStream, _module, _architecture);
    }

    private protected override RowScorer Bind(DataViewSchema inputSchema)
    {
        var column = SequenceColumn.Find(Host, inputSchema, InputColumnName, VectorSize);
        DataViewSchema.Column? query = QueryColumnName == null ? null
            : SequenceColumn.FindQuery(Host, inputSchema, QueryColumnName, _architecture.QuerySize);
        var outputs = new VectorOutputs(OutputColumnName, WeightsColumnName).Columns(OutputSize);
        // The weights column is a by-product of pooling, so every output is computed whatever is read.
        return new BatchScorer<PoolingRow>(query.HasValue ? new[] { column, query.Value } : new[] { column }, outputs,
            source => SequenceColumn.Reader(Host, source, column, query, VectorSize, NonFiniteValues), (rows, _) => Pool(rows));
    }

    // Every option has its inference path in ONNX operators.
    private protected override void CheckOnnxExport()
    {
    }

    private protected override void SaveAsOnnx(OnnxContext context)
    {
        var g = new OnnxGraphWriter(context, Host, nameof(AttentionPoolingTransformer));
        var sequence = g.Input(InputColumnName);
        var query = QueryColumnName == null ? null : g.Input(QueryColumnName);
        // One masked position after the row's own, as SequenceBatch pads: an empty sequence still has a position to reduce over.
        var padded = g.Op("Pad", new[] { sequence, g.Constant(new long[] { 0, 0, 0, VectorSize }), g.Scalar(float.NaN) });
        var values = g.Op("Reshape", new[] { padded, g.Constant(new long[] { 0, -1, VectorSize }) });   // [N, T + 1, D]
        var finite = g.Unary("Not", g.Op("Or", new[] { g.Unary("IsNaN", values), g.Unary("IsInf", values) }));
        var mask = g.ToBool(g.ReduceMin(g.ToFloat(finite), -1, keepDims: false));                       // [N, T + 1]
        values = g.Where(g.Unsqueeze(mask, -1), values, g.Scalar(0f));
        var (pooled, weights) = _module.Export(g, values, mask, query);
        g.Output(OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, OutputSize), pooled);
        if (WeightsColumnName != null)
        {
            var withoutPadding = g.Op("Slice", new[] { weights, g.Constant(new long[] { 0 }, 1), g.Constant(new long[] { -1 }, 1), g.Constant(new long[] { 1 }, 1) });
            g.Output(WeightsColumnName, new VectorDataViewType(NumberDataViewType.Single), withoutPadding);
        }
    }

    /// <summary>
    /// Pools a batch of sequences in one forward pass, padded to the longest. Matrix products of another
    /// shape may round differently in the last bit, so a row scored in a batch and the same row scored alone
    /// (PredictionEngine) agree to float rounding, not always bit for bit.
    /// </summary>
    internal Array[] Pool(IReadOnlyList<PoolingRow> rows)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var batch = new SequenceBatch(rows, VectorSize, _architecture.QuerySize);
        var (pooled, weights) = _module.Pool(batch.Values, batch.Mask, batch.Query);
        var pooledFlat = pooled.contiguous().data<float>().ToArray();
        var weightsFlat = weights.contiguous().data<float>().ToArray();
        int paddedLength = (int)weights.shape[1];
        var pooledRows = new float[rows.Count][];
        var weightRows = new float[rows.Count][];
        for (int b = 0; b < rows.Count; b++)
        {
            pooledRows[b] = pooledFlat.AsSpan(b * OutputSize, OutputSize).ToArray();
            weightRows[b] = weightsFlat.AsSpan(b * paddedLength, rows[b].Values.Length / VectorSize).ToArray();
        }
        return WeightsColumnName == null ? new[] { pooledRows } : new[] { pooledRows, weightRows };
    }
}
