using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;

/// <summary>
/// Sequences in a CSV file: a header row, a label column and a column holding the sequence as numbers separated by
/// spaces, element after element (with --vector-size 3, "0.1 2.5 -2.5 4 2.5 2.5" is two elements of three values).
/// Sequences may differ in length. Example (what --export writes):
/// <code>
/// Label,Sequence
/// leak,"-0.21 -2.5 2.5 4 -2.5 -2.5 0.33 2.5 2.5"
/// </code>
/// </summary>
internal static class SequenceCsv
{
    public static List<Readings> Read(MLContext ml, string path, string sequenceColumn, string labelColumn, int vectorSize)
    {
        var rows = ml.Data.CreateEnumerable<TextRow>(CsvData.Load(ml, path, sequenceColumn, labelColumn), reuseRowObject: false);
        return rows.Select((row, i) =>
        {
            var values = row.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
                    : throw new FormatException($"{path}, data row {i + 1}: '{v}' in column '{sequenceColumn}' is not a number."))
                .ToArray();
            if (values.Length == 0 || values.Length % vectorSize != 0)
                throw new FormatException($"{path}, data row {i + 1}: {values.Length} numbers in column '{sequenceColumn}' are not whole elements of --vector-size {vectorSize}.");
            // No fault position: only the generated data knows where the evidence is.
            return new Readings { Values = values, Label = row.Label, FaultAt = -1 };
        }).ToList();
    }

    public static void Write(string path, IEnumerable<Readings> rows)
    {
        var csv = new StringBuilder("Label,Sequence\n");
        foreach (var row in rows)
            csv.Append(row.Label).Append(",\"").Append(string.Join(" ", row.Values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))).Append("\"\n");
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>A row as <see cref="CsvData"/> loads it: the sequence column arrives as Text.</summary>
    public sealed class TextRow
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }
}
