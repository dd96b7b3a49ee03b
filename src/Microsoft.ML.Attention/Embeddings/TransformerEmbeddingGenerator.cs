using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// A fitted ML.NET model that turns a text column into a vector column, as the .NET AI stack's
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: a pretrained encoder (frozen or fine-tuned), the self-attention
/// featurizer, or a loaded model zip holding one. Create it with <see cref="EmbeddingGeneratorExtensions.AsEmbeddingGenerator"/>.
/// </summary>
/// <remarks>
/// <see cref="GenerateAsync"/> runs the model's batched <c>Transform</c> over the whole list at once, so its vectors
/// are exactly the model's output column's; its cancellation token is checked between the groups a batch is scored in.
/// Calls may run concurrently. Vectors of an encoder fine-tuned on labels are shaped for those labels; for retrieval
/// (nearest neighbours of a query) use the frozen pretrained encoder.
/// </remarks>
public sealed class TransformerEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _inputDefinition;
    private readonly string _outputColumnName;
    private readonly bool _disposeModel;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    internal TransformerEmbeddingGenerator(MLContext mlContext, ITransformer model, string inputColumnName, string outputColumnName,
        string? modelId, bool disposeModel)
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (string.IsNullOrEmpty(inputColumnName))
            throw new ArgumentException("The name of the text column the model reads is required.", nameof(inputColumnName));
        if (string.IsNullOrEmpty(outputColumnName))
            throw new ArgumentException("The name of the vector column the model writes is required.", nameof(outputColumnName));
        _inputDefinition = SchemaDefinition.Create(typeof(TextRow));
        _inputDefinition[0].ColumnName = inputColumnName;
        _outputColumnName = outputColumnName;
        _disposeModel = disposeModel;
        Dimensions = OutputSize(mlContext, model, _inputDefinition, outputColumnName);
        _metadata = new EmbeddingGeneratorMetadata("Microsoft.ML.Attention", defaultModelId: modelId, defaultModelDimensions: Dimensions);
    }

    /// <summary>The length of every vector this generator gives.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// Encodes <paramref name="values"/> in one batched pass of the model; a null or empty text is a valid row.
    /// </summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">Only <see cref="EmbeddingGenerationOptions.Dimensions"/> is read: null or <see cref="Dimensions"/>.</param>
    /// <param name="cancellationToken">Checked before each group of texts is scored.</param>
    /// <returns>One embedding per text, in order.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> asks for another number of dimensions.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (options?.Dimensions is int asked && asked != Dimensions)
            throw new ArgumentException($"This model gives vectors of {Dimensions} dimensions; {asked} were asked for.", nameof(options));
        var rows = values.Select(v => new TextRow { Text = v }).ToList();
        var modelId = options?.ModelId ?? _metadata.DefaultModelId;
        // Scoring is CPU-bound work in ML.NET's synchronous cursors: off the caller's thread, as a remote generator would be.
        return Task.Run(() => Generate(rows, modelId, cancellationToken), cancellationToken);
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(List<TextRow> rows, string? modelId, CancellationToken cancellationToken)
    {
        using var cancellation = ScoringCancellation.Use(cancellationToken);
        var scored = _model.Transform(_mlContext.Data.LoadFromEnumerable(rows, _inputDefinition));
        var column = scored.Schema[_outputColumnName];
        var result = new GeneratedEmbeddings<Embedding<float>>(rows.Count);
        var created = DateTimeOffset.UtcNow;
        using (var cursor = scored.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var value = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref value);
                var vector = new float[Dimensions];
                value.CopyTo(vector);
                result.Add(new Embedding<float>(vector) { ModelId = modelId, CreatedAt = created });
            }
        }
        return result;
    }

    /// <summary>
    /// <see cref="EmbeddingGeneratorMetadata"/> (provider "Microsoft.ML.Attention", the model id given when the generator
    /// was made, <see cref="Dimensions"/>), this generator, or the model; null for anything else or a keyed request.
    /// </summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key; none is served.</param>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
            return _metadata;
        if (serviceType.IsInstanceOfType(this))
            return this;
        return serviceType.IsInstanceOfType(_model) ? _model : null;
    }

    /// <summary>Disposes the model when the generator was made to own it; otherwise the model stays the caller's.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _disposeModel)
            (_model as IDisposable)?.Dispose();
    }

    // The output column's size, checked once against the schema a one-column text input gives.
    private static int OutputSize(MLContext mlContext, ITransformer model, SchemaDefinition input, string outputColumnName)
    {
        var schema = model.GetOutputSchema(mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>(), input).Schema);
        var column = schema.GetColumnOrNull(outputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(outputColumnName), outputColumnName,
                $"The model gives no column '{outputColumnName}'; its columns are {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number, IsKnownSize: true } vector || number != NumberDataViewType.Single)
            throw Contracts.ExceptSchemaMismatch(nameof(outputColumnName), "embedding", outputColumnName, "known-size vector of Single", column.Type.ToString());
        return vector.Size;
    }

    private sealed class TextRow
    {
        public string? Text { get; set; }
    }
}
