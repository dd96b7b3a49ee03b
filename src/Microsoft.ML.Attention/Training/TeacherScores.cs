using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The teacher's score column of knowledge distillation (<see cref="AttentionTrainingOptions.TeacherScoreColumnName"/>):
/// a vector of Single with one value per class beside a key label, or one Single beside a Boolean label. Read with the
/// labeled rows, turned into the teacher's logits at temperature 1 (<see cref="ToLogits"/>); never saved with the model.
/// </summary>
internal sealed class TeacherScores
{
    public const string Role = "teacher score";

    private TeacherScores(DataViewSchema.Column column, int classes, bool binary)
    {
        Column = column;
        Classes = classes;
        IsBinary = binary;
    }

    public DataViewSchema.Column Column { get; }

    /// <summary>Number of classes of the label (2 for a Boolean label).</summary>
    public int Classes { get; }

    /// <summary>True beside a Boolean label: the column holds one probability or score per row.</summary>
    public bool IsBinary { get; }

    private static string Expected(bool binary, int classes)
        => binary ? "Single (the teacher's probability of true, or its raw score)"
            : classes > 0 ? $"vector of Single of size {classes} (the teacher's class probabilities or logits)"
            : "known-size vector of Single (the teacher's class probabilities or logits)";

    /// <summary>The teacher column of <paramref name="schema"/>, or null when <paramref name="name"/> is null.</summary>
    public static TeacherScores? Find(IExceptionContext ectx, DataViewSchema schema, string? name, LabelColumn? label)
    {
        if (name == null)
            return null;
        CheckLabel(ectx, label != null, label?.IsRegression == true);
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), Role, name);
        bool binary = label!.Column.Type is BooleanDataViewType;
        bool ok = binary
            ? column.Type == NumberDataViewType.Single
            : column.Type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single && vector.Size == label.Classes;
        if (!ok)
            throw ectx.ExceptSchemaMismatch(nameof(schema), Role, name, Expected(binary, label.Classes), column.Type.ToString());
        if (!binary)
            CheckClassOrder(ectx, column, label.Column);
        return new TeacherScores(column, label.Classes, binary);
    }

    /// <summary>
    /// Where both sides name their classes (ML.NET's multiclass <c>Score</c> carries the label's values as slot names,
    /// a key label carries its key values), slot i of the teacher must be the label's key i + 1: a teacher whose label
    /// was keyed in another order would otherwise teach every class under another class's name.
    /// </summary>
    private static void CheckClassOrder(IExceptionContext ectx, DataViewSchema.Column teacher, DataViewSchema.Column label)
    {
        var slots = Names(teacher, AnnotationUtils.Kinds.SlotNames);
        var keys = Names(label, AnnotationUtils.Kinds.KeyValues);
        if (slots == null || keys == null || slots.Length != keys.Length || slots.SequenceEqual(keys))
            return;
        static string List(string[] names) => string.Join(", ", names.Take(6)) + (names.Length > 6 ? ", ..." : "");
        throw ectx.ExceptSchemaMismatch("schema", Role, teacher.Name,
            $"class scores in the order of the label '{label.Name}' ({List(keys)})",
            $"slots named {List(slots)}; key the label with the teacher's own key values (MapValueToKey's keyData) so the orders agree");
    }

    private static string[]? Names(DataViewSchema.Column column, string kind)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(kind);
        if (annotation is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(kind, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>Shape check for estimators: the teacher column exists and has the right kind (its width is checked at Fit).</summary>
    public static void Check(IExceptionContext ectx, SchemaShape schema, string? name, string? labelName)
    {
        if (name == null)
            return;
        SchemaShape.Column label = default;
        bool hasLabel = labelName != null && schema.TryFindColumn(labelName, out label);
        CheckLabel(ectx, labelName != null, hasLabel && !label.IsKey && label.ItemType == NumberDataViewType.Single);
        if (!schema.TryFindColumn(name, out var column))
            throw ectx.ExceptSchemaMismatch(nameof(schema), Role, name);
        bool binary = hasLabel && label.ItemType is BooleanDataViewType;
        bool ok = column.ItemType == NumberDataViewType.Single && (binary
            ? column.Kind == SchemaShape.Column.VectorKind.Scalar
            : column.Kind == SchemaShape.Column.VectorKind.Vector);
        if (!ok)
            throw ectx.ExceptSchemaMismatch(nameof(schema), Role, name, Expected(binary, 0), column.GetTypeString());
    }

    private static void CheckLabel(IExceptionContext ectx, bool hasLabel, bool isRegression)
    {
        if (!hasLabel)
            throw ectx.ExceptUserArg(nameof(AttentionTrainingOptions.TeacherScoreColumnName),
                "needs a label column (LabelColumnName): distillation trains a classifier on the label and the teacher's scores");
        if (isRegression)
            throw ectx.ExceptUserArg(nameof(AttentionTrainingOptions.TeacherScoreColumnName),
                "needs a classification label (key or Boolean), not a Single (regression) label");
    }

    /// <summary>A function reading the current row's raw teacher values; NaN fails naming the column and the row.</summary>
    public Func<long, float[]> Reader(IExceptionContext ectx, DataViewRow row)
    {
        Func<float[]> read;
        if (IsBinary)
        {
            var single = row.GetGetter<float>(Column);
            read = () => { float value = 0; single(ref value); return new[] { value }; };
        }
        else
        {
            var vector = row.GetGetter<VBuffer<float>>(Column);
            var buffer = default(VBuffer<float>);
            read = () => { vector(ref buffer); return buffer.DenseValues().ToArray(); };
        }
        return index =>
        {
            var values = read();
            if (values.Any(v => !float.IsFinite(v)))
                throw ectx.Except($"Column '{Column.Name}' ({Role}) holds NaN or an infinite value in row {index}; the teacher's scores must be finite numbers.");
            return values;
        };
    }

    /// <summary>
    /// The teacher's logits at temperature 1, decided once for the whole column. Multiclass: when every row's values lie
    /// in [0, 1] and sum to 1 (within 1e-3), they are probabilities (ML.NET's <c>Score</c>) and their logarithms are the
    /// logits; otherwise they are logits already. Binary: when every value lies in [0, 1] it is the probability p of true
    /// (logits [log(1 − p), log p]); otherwise it is a raw score s whose sigmoid is that probability (logits [0, s]).
    /// </summary>
    public float[][] ToLogits(IReadOnlyList<float[]> raw)
    {
        static float Log(float p) => MathF.Log(Math.Max(p, 1e-30f));
        bool InUnit(float v) => v >= 0 && v <= 1;
        if (IsBinary)
        {
            bool probabilities = raw.All(r => InUnit(r[0]));
            return raw.Select(r => probabilities ? new[] { Log(1 - r[0]), Log(r[0]) } : new[] { 0f, r[0] }).ToArray();
        }
        bool distributions = raw.All(r => r.All(InUnit) && Math.Abs(r.Sum() - 1) <= 1e-3);
        return distributions ? raw.Select(r => r.Select(Log).ToArray()).ToArray() : raw.Select(r => (float[])r.Clone()).ToArray();
    }
}

/// <summary>
/// Knowledge distillation settings of a Fit: the teacher's logits (temperature 1) of every row the objective numbers,
/// the temperature T and the weight w of the soft loss.
/// </summary>
internal sealed record Distillation(float[][] TeacherLogits, float Temperature, float Weight);
