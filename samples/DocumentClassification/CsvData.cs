using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>Loads a CSV file's text and label columns, found by their header names, as columns Text and Label.</summary>
internal static class CsvData
{
    public static IDataView Load(MLContext ml, string path, string textColumn, string labelColumn)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No data file at {path}.", path);
        var header = File.ReadLines(path).First().Split(',').Select(h => h.Trim().Trim('"')).ToList();
        int Index(string name) => header.IndexOf(name) is var i && i >= 0 ? i
            : throw new ArgumentException($"{path} has no column '{name}'. Its columns: {string.Join(", ", header)}.");
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            HasHeader = true,
            Separators = new[] { ',' },
            AllowQuoting = true,
            ReadMultilines = true,
            Columns = new[]
            {
                new TextLoader.Column("Text", DataKind.String, Index(textColumn)),
                new TextLoader.Column("Label", DataKind.String, Index(labelColumn)),
            },
        });
        return loader.Load(path);
    }

    public static long Count(MLContext ml, IDataView data)
    {
        long count = 0;
        using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
            count++;
        return count;
    }
}
