using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>Finds, checks and reads a column that holds a sequence of fixed-size float vectors.</summary>
internal static class SequenceColumn
{
    public const string ExpectedType = "vector of Single whose length is a multiple of the vector size";

    /// <summary>Returns the column, or throws ML.NET's schema-mismatch error naming what was expected and found.</summary>
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

    /// <summary>Shape check for estimators, before any data is seen.</summary>
    public static void Check(IExceptionContext ectx, SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name);
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name, ExpectedType, column.GetTypeString());
    }

    /// <summary>A function that copies the current row's sequence, checking its length and values.</summary>
    public static Func<float[]> Reader(IExceptionContext ectx, DataViewRow row, DataViewSchema.Column column, int vectorSize)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return () =>
        {
            getter(ref buffer);
            if (buffer.Length % vectorSize != 0)
                throw ectx.Except($"Column '{column.Name}', row {row.Position}: expected a multiple of {vectorSize} values (a sequence of vectors of size {vectorSize}), found {buffer.Length}.");
            var values = new float[buffer.Length];
            buffer.CopyTo(values);
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw ectx.Except($"Column '{column.Name}', row {row.Position}: value {i} is {values[i]}; attention pooling needs finite values.");
            return values;
        };
    }
}
