using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// An estimator's output <see cref="SchemaShape"/> derived from the columns its transformer will add, so each
/// component declares its output columns once (types and annotations) and the two schema forms cannot disagree.
/// </summary>
internal static class OutputShape
{
    /// <summary><paramref name="input"/> with <paramref name="outputs"/> added (replacing columns of the same name).</summary>
    public static SchemaShape With(SchemaShape input, IEnumerable<DataViewSchema.DetachedColumn> outputs)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(outputs);
        var columns = input.ToDictionary(c => c.Name);
        foreach (var column in SchemaShape.Create(builder.ToSchema()))
            columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }
}
