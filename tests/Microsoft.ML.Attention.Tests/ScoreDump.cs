using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Every float a model gives for some rows, as hex bits, through Transform and through a PredictionEngine. Shared by
/// the tests and the fresh-process load checker, so the two sides print exactly the same way.
/// </summary>
public static class ScoreDump
{
    public static List<string> Lines<TRow>(MLContext ml, ITransformer model, IDataView data, IReadOnlyList<string> columns)
        where TRow : class, new()
    {
        var lines = new List<string>();
        var scored = model.Transform(data);
        foreach (var name in columns)
            lines.AddRange(Vectors(scored, name).Select((vector, i) => $"transform {name} {i}: " + string.Join(" ", vector.Select(Bits))));

        var rows = ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false).ToList();
        foreach (var name in columns)
        {
            var output = SchemaDefinition.Create(typeof(VectorOutput));
            output[0].ColumnName = name;
            var engine = ml.Model.CreatePredictionEngine<TRow, VectorOutput>(model, outputSchemaDefinition: output);
            lines.AddRange(rows.Select((row, i) => $"engine {name} {i}: " + string.Join(" ", engine.Predict(row).Values.Select(Bits))));
        }
        return lines;
    }

    /// <summary>Every row's values of a float-vector column, read through a cursor.</summary>
    public static List<float[]> Vectors(IDataView data, string column)
    {
        var result = new List<float[]>();
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            result.Add(buffer.DenseValues().ToArray());
        }
        return result;
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8");

    public sealed class VectorOutput
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }
}
