using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Text;

/// <summary>Finds, checks and reads a text column.</summary>
internal static class TextColumn
{
    public static DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name);
        if (!(column.Type is TextDataViewType))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name, "String", column.Type.ToString());
        return column;
    }

    public static void Check(IExceptionContext ectx, SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !(column.ItemType is TextDataViewType))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name, "String", column.GetTypeString());
    }

    /// <summary>Reads the current row's text; a missing value reads as empty.</summary>
    public static Func<string?> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
        var value = default(ReadOnlyMemory<char>);
        return () =>
        {
            getter(ref value);
            return value.ToString();
        };
    }
}
