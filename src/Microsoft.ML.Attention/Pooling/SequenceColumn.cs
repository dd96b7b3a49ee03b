using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>Finds, checks and reads the sequence and query columns of attention pooling.</summary>
internal static class SequenceColumn
{
    public const string ExpectedType = "vector of Single whose length is a multiple of the vector size";

    /// <summary>Returns the sequence column, or throws ML.NET's schema-mismatch error naming what was expected and found.</summary>
    public static DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema, string name, int vectorSize)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name);
        if (!(column.Type is VectorDataViewType vector) || vector.ItemType != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name, ExpectedType, column.Type.ToString());
        if (vector.Size % vectorSize != 0)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name,
                $"vector of Single whose length is a multiple of {vectorSize}", column.Type.ToString());
        return column;
    }

    /// <summary>Returns the query column: a vector of Single of known size (<paramref name="size"/> when positive).</summary>
    public static DataViewSchema.Column FindQuery(IExceptionContext ectx, DataViewSchema schema, string name, int size)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "query", name);
        var expected = size > 0 ? $"Vector<Single, {size}>" : "vector of Single of known size";
        if (!(column.Type is VectorDataViewType vector) || vector.ItemType != NumberDataViewType.Single || vector.Size == 0
            || (size > 0 && vector.Size != size))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "query", name, expected, column.Type.ToString());
        return column;
    }

    /// <summary>Shape check for estimators, before any data is seen.</summary>
    public static void Check(IExceptionContext ectx, SchemaShape schema, string name, string role)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw ectx.ExceptSchemaMismatch(nameof(schema), role, name);
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(schema), role, name, "vector of Single", column.GetTypeString());
    }

    /// <summary>A function that copies the current row's sequence (and query), checking lengths and values.</summary>
    public static Func<PoolingRow> Reader(IExceptionContext ectx, DataViewRow row, DataViewSchema.Column column,
        DataViewSchema.Column? queryColumn, int vectorSize, NonFiniteValueHandling nonFinite)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var queryGetter = queryColumn.HasValue ? row.GetGetter<VBuffer<float>>(queryColumn.Value) : null;
        var buffer = default(VBuffer<float>);
        var queryBuffer = default(VBuffer<float>);
        return () =>
        {
            getter(ref buffer);
            if (buffer.Length % vectorSize != 0)
                throw ectx.Except($"Column '{column.Name}', row {row.Position}: expected a multiple of {vectorSize} values (a sequence of vectors of size {vectorSize}), found {buffer.Length}.");
            var values = new float[buffer.Length];
            buffer.CopyTo(values);
            bool[]? usable = null;
            for (int i = 0; i < values.Length; i++)
            {
                if (float.IsFinite(values[i]))
                    continue;
                if (nonFinite == NonFiniteValueHandling.Throw)
                    throw ectx.Except($"Column '{column.Name}', row {row.Position}: value {i} is {values[i]}; attention pooling needs finite values " +
                        $"(set NonFiniteValues = {nameof(NonFiniteValueHandling.MaskPosition)} to ignore such positions).");
                usable ??= CreateAllTrue(values.Length / vectorSize);
                usable[i / vectorSize] = false;
            }
            if (usable != null)
                for (int t = 0; t < usable.Length; t++)
                    if (!usable[t])
                        Array.Clear(values, t * vectorSize, vectorSize);

            float[]? query = null;
            if (queryGetter != null)
            {
                queryGetter(ref queryBuffer);
                query = new float[queryBuffer.Length];
                queryBuffer.CopyTo(query);
                foreach (var value in query)
                    if (!float.IsFinite(value))
                        throw ectx.Except($"Column '{queryColumn!.Value.Name}', row {row.Position}: the query holds {value}; queries must be finite.");
            }
            return new PoolingRow(values, usable, query);
        };
    }

    private static bool[] CreateAllTrue(int length)
    {
        var result = new bool[length];
        Array.Fill(result, true);
        return result;
    }
}
