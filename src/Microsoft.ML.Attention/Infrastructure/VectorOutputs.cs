using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The output columns of a component that turns its input into one vector and, optionally, a weight per position
/// (the attention pooling and the featurizer), declared once: the transformer's schema is <see cref="Columns"/>, the
/// estimator's <see cref="SchemaShape"/> is derived from the same columns by <see cref="AddTo"/>.
/// </summary>
internal sealed record VectorOutputs(string Vector, string? Weights)
{
    /// <summary>The vector column (of <paramref name="vectorSize"/> floats), then the variable-length weights column if named.</summary>
    public DataViewSchema.DetachedColumn[] Columns(int vectorSize)
    {
        var columns = new List<DataViewSchema.DetachedColumn>
        {
            new DataViewSchema.DetachedColumn(Vector, new VectorDataViewType(NumberDataViewType.Single, vectorSize)),
        };
        if (Weights != null)
            columns.Add(new DataViewSchema.DetachedColumn(Weights, new VectorDataViewType(NumberDataViewType.Single)));
        return columns.ToArray();
    }

    /// <summary>The estimator's output shape: <paramref name="input"/> with <see cref="Columns"/> added (or replacing same-named ones).</summary>
    public SchemaShape AddTo(SchemaShape input, int vectorSize) => OutputShape.With(input, Columns(vectorSize));
}
