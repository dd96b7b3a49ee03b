using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// A teacher's word vectors carried as two annotations of a text column (the words, and their unit vectors row by row),
/// so that a student trained on the view starts from them without a file. <c>AugmentForDistillation</c> writes them;
/// the students read them when no <c>PretrainedVectorsPath</c> is set.
/// </summary>
internal static class TeacherWordVectors
{
    /// <summary>The annotation of the words, a vector of text.</summary>
    public const string WordsKind = "TeacherWords";

    /// <summary>The annotation of their vectors, a [words, dimension] vector of Double (the precision the students reduce them in).</summary>
    public const string VectorsKind = "TeacherWordVectors";

    /// <summary>Largest dimension carried: above it (a bag of n-grams rather than a Transformer) no vectors are carried.</summary>
    public const int MaximumDimension = 4096;

    /// <summary>The column's annotations with the words and vectors added (the rows of <paramref name="unit"/> follow <paramref name="words"/>).</summary>
    public static DataViewSchema.Annotations Attach(DataViewSchema.Annotations existing, IReadOnlyList<string> words, IReadOnlyList<double[]> unit)
    {
        int n = words.Count, d = unit[0].Length;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(existing, kind => kind != WordsKind && kind != VectorsKind);
        var wordValues = new VBuffer<ReadOnlyMemory<char>>(n, words.Select(w => w.AsMemory()).ToArray());
        builder.Add(WordsKind, new VectorDataViewType(TextDataViewType.Instance, n),
            (ref VBuffer<ReadOnlyMemory<char>> value) => wordValues.CopyTo(ref value));
        var values = new double[(long)n * d];
        for (int w = 0; w < n; w++)
            unit[w].CopyTo(values, (long)w * d);
        var vectorValues = new VBuffer<double>(values.Length, values);
        builder.Add(VectorsKind, new VectorDataViewType(NumberDataViewType.Double, n, d),
            (ref VBuffer<double> value) => vectorValues.CopyTo(ref value));
        return builder.ToAnnotations();
    }

    /// <summary>
    /// The words and vectors a text column carries, or null when it carries none. Annotations of the wrong shape, or a
    /// vector that is not finite, are an error naming the column: they come from a view someone built.
    /// </summary>
    public static (IReadOnlyList<string> Words, double[][] Vectors)? Read(IExceptionContext ectx, DataViewSchema.Column text)
    {
        var schema = text.Annotations.Schema;
        var wordsColumn = schema.GetColumnOrNull(WordsKind);
        var vectorsColumn = schema.GetColumnOrNull(VectorsKind);
        if (wordsColumn == null && vectorsColumn == null)
            return null;
        string found = $"{wordsColumn?.Type.ToString() ?? "none"} and {vectorsColumn?.Type.ToString() ?? "none"}";
        if (wordsColumn?.Type is not VectorDataViewType { ItemType: TextDataViewType, Size: > 0 } wordsType
            || vectorsColumn?.Type is not VectorDataViewType { Dimensions.Length: 2 } vectorsType
            || vectorsType.ItemType != NumberDataViewType.Double || vectorsType.Dimensions[0] != wordsType.Size
            || vectorsType.Dimensions[1] < 1 || vectorsType.Dimensions[1] > MaximumDimension)
            throw ectx.ExceptSchemaMismatch("schema", $"text column's '{WordsKind}' and '{VectorsKind}' annotations", text.Name,
                $"a vector of N words and a [N, d] vector of Double with 1 ≤ d ≤ {MaximumDimension}", found);
        var words = default(VBuffer<ReadOnlyMemory<char>>);
        text.Annotations.GetValue(WordsKind, ref words);
        var values = default(VBuffer<double>);
        text.Annotations.GetValue(VectorsKind, ref values);
        int n = wordsType.Size, d = vectorsType.Dimensions[1];
        var dense = values.DenseValues().ToArray();
        var vectors = new double[n][];
        for (int w = 0; w < n; w++)
        {
            vectors[w] = new double[d];
            for (int j = 0; j < d; j++)
            {
                double v = dense[(long)w * d + j];
                if (!double.IsFinite(v))
                    throw ectx.Except($"The text column '{text.Name}' carries a NaN or infinite value in its '{VectorsKind}' annotation (word {w}).");
                vectors[w][j] = v;
            }
        }
        return (words.DenseValues().Select(m => m.ToString()).ToList(), vectors);
    }
}
