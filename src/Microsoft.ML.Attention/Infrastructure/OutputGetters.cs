using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Getters over scored values: <c>values()</c> returns a column's per-row array (see <see cref="RowBatch.Score"/>)
/// and <c>row()</c> the current row's index in it. Vector getters reuse the caller's buffer.
/// </summary>
internal static class OutputGetters
{
    public static Delegate Create(DataViewSchema.DetachedColumn column, Func<Array> values, Func<int> row)
    {
        switch (column.Type)
        {
            case VectorDataViewType vector when vector.ItemType == NumberDataViewType.Single:
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> destination) =>
                {
                    var source = ((float[][])values())[row()];
                    var editor = VBufferEditor.Create(ref destination, source.Length);
                    source.AsSpan().CopyTo(editor.Values);
                    destination = editor.Commit();
                });
            case NumberDataViewType number when number == NumberDataViewType.Single:
                return (ValueGetter<float>)((ref float destination) => destination = ((float[])values())[row()]);
            case KeyDataViewType key when key.RawType == typeof(uint):
                return (ValueGetter<uint>)((ref uint destination) => destination = ((uint[])values())[row()]);
            case BooleanDataViewType:
                return (ValueGetter<bool>)((ref bool destination) => destination = ((bool[])values())[row()]);
            default:
                throw new NotSupportedException($"Output column '{column.Name}' has type {column.Type}, which scorers cannot produce.");
        }
    }
}
