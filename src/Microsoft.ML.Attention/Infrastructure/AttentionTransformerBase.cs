using System;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Base of this library's transformers: they append float-vector columns computed by a TorchSharp model.
/// <see cref="Transform"/> is lazy and scores rows in batches; <c>PredictionEngine</c> scores one row per call.
/// </summary>
public abstract class AttentionTransformerBase : ITransformer, IDisposable
{
    private protected readonly IHost Host;
    private readonly TorchSharp.torch.nn.Module _module;
    private bool _disposed;

    // The base owns the module: it is put in eval mode once here and disposed with the transformer.
    private protected AttentionTransformerBase(IHost host, TorchSharp.torch.nn.Module module)
    {
        Host = host;
        _module = module;
        _module.eval();
    }

    /// <summary>The outputs of the input view last read in full (see <see cref="OutputCacheMegabytes"/>).</summary>
    internal OutputCache OutputCache { get; } = new OutputCache();

    /// <summary>
    /// Memory bound, in MiB, of the outputs this transformer keeps for the input view it last read in full, so that a
    /// trainer reading its output many times (SDCA without <c>AppendCacheCheckpoint</c>) runs the model once. 0 turns it off.
    /// </summary>
    /// <remarks>Default 256. Not saved with the model.</remarks>
    public int OutputCacheMegabytes
    {
        get => (int)(OutputCache.MaximumBytes >> 20);
        set
        {
            Host.CheckParam(value >= 0, nameof(value), "must be 0 (off) or more");
            OutputCache.MaximumBytes = (long)value << 20;
        }
    }

    /// <summary>Rows scored together by <see cref="Transform"/>.</summary>
    private protected virtual int ScoringBatchSize => 256;

    /// <summary>Checks <paramref name="inputSchema"/> and binds the model to it; throws on a missing or mistyped column.</summary>
    private protected abstract RowScorer Bind(DataViewSchema inputSchema);

    /// <summary>Writes the transformer into the model zip.</summary>
    private protected abstract void SaveModel(ModelSaveContext ctx);

    /// <summary>
    /// Throws, naming the component and the option, when this transformer cannot be written into an ONNX graph
    /// (<c>mlContext.Model.ConvertToOnnx</c>). By default a component has no ONNX export yet: a pipeline holding it is
    /// refused rather than exported into a graph that lacks its columns.
    /// </summary>
    private protected virtual void CheckOnnxExport()
        => throw Host.Except($"{GetType().Name} cannot be exported to ONNX yet (mlContext.Model.ConvertToOnnx). " +
            "Score pipelines that hold it with ML.NET (Transform or PredictionEngine).");

    /// <summary>Writes this transformer's nodes into the ONNX graph; called after <see cref="CheckOnnxExport"/> passed.</summary>
    /// <param name="context">ML.NET's ONNX context, holding the tensors of the input columns.</param>
    private protected virtual void SaveAsOnnx(OnnxContext context) => CheckOnnxExport();

    /// <summary>What <see cref="BatchScoringDataView"/> answers ML.NET's ONNX converter: the check, then the nodes.</summary>
    internal void CheckCanSaveOnnx()
    {
        ThrowIfDisposed();
        CheckOnnxExport();
    }

    /// <inheritdoc cref="SaveAsOnnx(OnnxContext)"/>
    internal void WriteOnnx(OnnxContext context)
    {
        ThrowIfDisposed();
        SaveAsOnnx(context);
    }

    /// <summary>Releases the native memory of the TorchSharp model.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _module.Dispose();
    }

    /// <summary>The mapper registered under <c>SignatureLoadRowMapper</c>: the row-at-a-time path bound to <paramref name="inputSchema"/>.</summary>
    private protected IRowMapper MakeRowMapper(DataViewSchema inputSchema) => new RowScorerMapper(this, Bind(inputSchema), inputSchema);

    /// <summary>Always true: the transformer maps each row independently of the others.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the columns this transformer adds.</summary>
    /// <param name="inputSchema">The schema of the data the transformer will be applied to.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Host.CheckValue(inputSchema, nameof(inputSchema));
        ThrowIfDisposed();
        return new ColumnBindings(inputSchema, Bind(inputSchema).OutputColumns).Schema;
    }

    /// <summary>Lazily appends this transformer's columns to <paramref name="input"/>; rows are scored in batches.</summary>
    /// <param name="input">The data to transform.</param>
    public IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        ThrowIfDisposed();
        return new BatchScoringDataView(Host, input, Bind(input.Schema), ScoringBatchSize, OutputCache, this);
    }

    /// <summary>A row-to-row mapper, as used by <c>PredictionEngine</c>.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        Host.CheckValue(inputSchema, nameof(inputSchema));
        ThrowIfDisposed();
        return new RowToRowMapperTransform(Host, new EmptyDataView(Host, inputSchema), MakeRowMapper(inputSchema), MakeRowMapper);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ThrowIfDisposed();
        SaveModel(ctx);
    }

    // ML.NET's own transformers are rarely disposable, so disposing a PredictionEngine rarely ends its model; with ours it
    // does unless the engine was told otherwise, and the message says so.
    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name, $"This {GetType().Name} was disposed and its model's native memory released. " +
                "A PredictionEngine disposes the model it was created from when the engine is disposed, unless it is created with " +
                "new PredictionEngineOptions { OwnsTransformer = false }; create engines that way to keep using the model, or load it again.");
    }

    /// <summary>
    /// Releases the native memory of the TorchSharp model; using the transformer afterwards throws <see cref="ObjectDisposedException"/>.
    /// A <c>PredictionEngine</c> calls this when it is disposed unless it was created with <c>PredictionEngineOptions.OwnsTransformer = false</c>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
