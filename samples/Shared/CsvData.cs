using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

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

    /// <summary>Loads the file, holds out 20% for testing with a fixed seed, and says how many rows it read.</summary>
    /// <param name="rows">What a row is, for the message: "documents", "utterances".</param>
    public static DataOperationsCatalog.TrainTestData LoadAndSplit(MLContext ml, string path, string textColumn, string labelColumn, string rows)
    {
        var data = Load(ml, path, textColumn, labelColumn);
        AnsiConsole.MarkupLine($"Data: [bold]{Markup.Escape(path)}[/] ({data.GetRowCount() ?? Count(ml, data)} {rows}), 80% training, 20% test.");
        return ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
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
