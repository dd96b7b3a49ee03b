using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Every output a model gives for some rows, as text (floats as hex bits, keys as numbers, Booleans as true/false),
/// through Transform and through a PredictionEngine. Shared by the tests and the fresh-process load checker, so the two
/// sides print exactly the same way.
/// </summary>
public static class ScoreDump
{
    private delegate List<string> LinesOf(MLContext ml, ITransformer model, IDataView data, IReadOnlyList<string> columns);

    // The row classes the load checker reads rows into, by the name it is given on its command line.
    private static readonly Dictionary<string, (Type Row, LinesOf Lines)> RowKinds = new()
    {
        ["sequence"] = (typeof(SequenceRow), Lines<SequenceRow>),
        ["document"] = (typeof(DocumentRow), Lines<DocumentRow>),
        ["binary-document"] = (typeof(BinaryDocumentRow), Lines<BinaryDocumentRow>),
    };

    /// <summary>The load checker's name for the row class <typeparamref name="TRow"/>.</summary>
    public static string RowKind<TRow>()
        => RowKinds.SingleOrDefault(k => k.Value.Row == typeof(TRow)).Key
            ?? throw new ArgumentException($"The load checker reads no rows of {typeof(TRow).Name}: add it to ScoreDump's row kinds.");

    /// <summary><see cref="Lines{TRow}"/> for the row class the load checker calls <paramref name="rowKind"/>.</summary>
    public static List<string> Lines(string rowKind, MLContext ml, ITransformer model, IDataView data, IReadOnlyList<string> columns)
        => RowKinds.TryGetValue(rowKind, out var kind) ? kind.Lines(ml, model, data, columns)
            : throw new ArgumentException($"Unknown row kind '{rowKind}': expected {string.Join(", ", RowKinds.Keys)}.", nameof(rowKind));

    public static List<string> Lines<TRow>(MLContext ml, ITransformer model, IDataView data, IReadOnlyList<string> columns)
        where TRow : class, new()
    {
        var lines = new List<string>();
        var scored = model.Transform(data);
        foreach (var name in columns)
            lines.AddRange(Read(scored, name).Select((value, i) => $"transform {name} {i}: {value}"));

        var rows = ml.Data.CreateEnumerable<TRow>(data, reuseRowObject: false).ToList();
        foreach (var name in columns)
            lines.AddRange(Predict(ml, model, rows, name).Select((value, i) => $"engine {name} {i}: {value}"));
        return lines;
    }

    /// <summary>Every row's value of <paramref name="column"/> (a float or a float vector as bits, a key or a Boolean as text).</summary>
    /// <param name="data">The data to read.</param>
    /// <param name="column">The column to return.</param>
    /// <param name="alsoActive">Further columns the cursor computes (which may change a component's path, e.g. token weights).</param>
    public static List<string> Read(IDataView data, string column, IEnumerable<string>? alsoActive = null)
    {
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor((alsoActive ?? Enumerable.Empty<string>()).Select(name => data.Schema[name]).Append(col));
        var text = Getter(cursor, col);
        var result = new List<string>();
        while (cursor.MoveNext())
            result.Add(text());
        return result;
    }

    /// <summary>Every row of <paramref name="rows"/> through a PredictionEngine reading only <paramref name="column"/>, as <see cref="Read"/> writes it.</summary>
    public static List<string> Predict<TRow>(MLContext ml, ITransformer model, IReadOnlyList<TRow> rows, string column)
        where TRow : class, new()
    {
        var type = model.GetOutputSchema(ml.Data.LoadFromEnumerable(rows).Schema)[column].Type;
        return type switch
        {
            VectorDataViewType => Predict<TRow, VectorOutput>(ml, model, rows, column, o => Bits(o.Values)),
            KeyDataViewType => Predict<TRow, KeyOutput>(ml, model, rows, column, o => o.Value.ToString(CultureInfo.InvariantCulture)),
            BooleanDataViewType => Predict<TRow, BooleanOutput>(ml, model, rows, column, o => o.Value ? "true" : "false"),
            _ => Predict<TRow, ScalarOutput>(ml, model, rows, column, o => Bits(new[] { o.Value })),
        };
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

    /// <summary>Floats as hex bits, separated by spaces.</summary>
    public static string Bits(float[] values) => string.Join(" ", values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

    // The current row's value of a column as text.
    private static Func<string> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case VectorDataViewType:
                var vector = cursor.GetGetter<VBuffer<float>>(column);
                var buffer = default(VBuffer<float>);
                return () =>
                {
                    vector(ref buffer);
                    return Bits(buffer.DenseValues().ToArray());
                };
            case KeyDataViewType:
                var key = cursor.GetGetter<uint>(column);
                uint k = 0;
                return () =>
                {
                    key(ref k);
                    return k.ToString(CultureInfo.InvariantCulture);
                };
            case BooleanDataViewType:
                var flag = cursor.GetGetter<bool>(column);
                bool b = false;
                return () =>
                {
                    flag(ref b);
                    return b ? "true" : "false";
                };
            default:
                var scalar = cursor.GetGetter<float>(column);
                float f = 0;
                return () =>
                {
                    scalar(ref f);
                    return Bits(new[] { f });
                };
        }
    }

    private static List<string> Predict<TRow, TOutput>(MLContext ml, ITransformer model, IReadOnlyList<TRow> rows, string column, Func<TOutput, string> text)
        where TRow : class, new()
        where TOutput : class, new()
    {
        var output = SchemaDefinition.Create(typeof(TOutput));
        output[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<TRow, TOutput>(model,
            new PredictionEngineOptions { OutputSchemaDefinition = output, OwnsTransformer = false });
        return rows.Select(row => text(engine.Predict(row))).ToList();
    }

    public sealed class VectorOutput
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    public sealed class ScalarOutput
    {
        public float Value { get; set; }
    }

    public sealed class KeyOutput
    {
        public uint Value { get; set; }
    }

    public sealed class BooleanOutput
    {
        public bool Value { get; set; }
    }
}
