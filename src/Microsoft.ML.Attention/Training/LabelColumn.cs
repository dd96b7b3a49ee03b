using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The label a capability learns from: a key (classification over the key's values, counted from the key
/// type, not from the labels seen), a Boolean (two classes), or a Single (regression).
/// </summary>
internal sealed class LabelColumn
{
    public const string ExpectedType = "key type (classification), Boolean (two classes) or Single (regression)";

    private LabelColumn(DataViewSchema.Column column, int classes)
    {
        Column = column;
        Classes = classes;
    }

    public DataViewSchema.Column Column { get; }

    /// <summary>Number of classes, or 0 for regression.</summary>
    public int Classes { get; }

    public bool IsRegression => Classes == 0;

    public static LabelColumn Find(IExceptionContext ectx, DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "label", name);
        return column.Type switch
        {
            KeyDataViewType key when key.Count > 0 && key.Count <= int.MaxValue => new LabelColumn(column, (int)key.Count),
            BooleanDataViewType => new LabelColumn(column, 2),
            NumberDataViewType number when number == NumberDataViewType.Single => new LabelColumn(column, 0),
            _ => throw ectx.ExceptSchemaMismatch(nameof(schema), "label", name, ExpectedType, column.Type.ToString()),
        };
    }

    /// <summary>Shape check for estimators, before any data is seen.</summary>
    public static void Check(IExceptionContext ectx, SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "label", name);
        bool ok = column.Kind == SchemaShape.Column.VectorKind.Scalar
            && (column.IsKey || column.ItemType is BooleanDataViewType || column.ItemType == NumberDataViewType.Single);
        if (!ok)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "label", name, ExpectedType, column.GetTypeString());
    }

    /// <summary>
    /// A function reading the current row's target: the class index (0-based) or the regression value;
    /// NaN when the label is missing (key value 0, NaN), so the caller can skip the row.
    /// </summary>
    public Func<float> Reader(DataViewRow row)
    {
        switch (Column.Type)
        {
            case KeyDataViewType key:
                return KeyReader(row, key);
            case BooleanDataViewType:
                var boolean = row.GetGetter<bool>(Column);
                return () => { bool value = false; boolean(ref value); return value ? 1f : 0f; };
            default:
                var single = row.GetGetter<float>(Column);
                return () => { float value = 0; single(ref value); return float.IsFinite(value) ? value : float.NaN; };
        }
    }

    private Func<float> KeyReader(DataViewRow row, KeyDataViewType key)
    {
        // Keys are stored as unsigned integers of several widths; 0 means missing.
        var raw = key.RawType;
        if (raw == typeof(uint)) { var g = row.GetGetter<uint>(Column); return () => { uint v = 0; g(ref v); return v == 0 ? float.NaN : v - 1; }; }
        if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(Column); return () => { ushort v = 0; g(ref v); return v == 0 ? float.NaN : v - 1; }; }
        if (raw == typeof(byte)) { var g = row.GetGetter<byte>(Column); return () => { byte v = 0; g(ref v); return v == 0 ? float.NaN : v - 1; }; }
        var wide = row.GetGetter<ulong>(Column);
        return () => { ulong v = 0; wide(ref v); return v == 0 ? float.NaN : v - 1; };
    }
}
