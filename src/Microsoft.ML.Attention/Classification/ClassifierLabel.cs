using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Classification;

/// <summary>
/// The label of a classifier on ML.NET's catalogs: a key on the multiclass catalog (use <c>MapValueToKey</c>), a
/// Boolean on the binary one; anything else fails with ML.NET's schema-mismatch error naming the column.
/// </summary>
internal static class ClassifierLabel
{
    private const string KeyExpected = "key type (use mlContext.Transforms.Conversion.MapValueToKey)";

    public static LabelColumn Find(IExceptionContext host, DataViewSchema schema, string name, ClassificationTask task)
    {
        var column = schema.GetColumnOrNull(name) ?? throw host.ExceptSchemaMismatch(nameof(schema), "label", name);
        if (task == ClassificationTask.Binary && !(column.Type is BooleanDataViewType))
            throw host.ExceptSchemaMismatch(nameof(schema), "label", column.Name, "Boolean", column.Type.ToString());
        if (task == ClassificationTask.Multiclass && !(column.Type is KeyDataViewType))
            throw host.ExceptSchemaMismatch(nameof(schema), "label", column.Name, KeyExpected, column.Type.ToString());
        return LabelColumn.Find(host, schema, name);
    }

    /// <summary>Shape check for an estimator's <c>GetOutputSchema</c>, before any data is seen.</summary>
    public static void Check(IExceptionContext host, SchemaShape schema, string name, ClassificationTask task)
    {
        if (!schema.TryFindColumn(name, out var label))
            throw host.ExceptSchemaMismatch(nameof(schema), "label", name);
        if (task == ClassificationTask.Multiclass && !label.IsKey)
            throw host.ExceptSchemaMismatch(nameof(schema), "label", label.Name, KeyExpected, label.GetTypeString());
        if (task == ClassificationTask.Binary && !(label.ItemType is BooleanDataViewType && label.Kind == SchemaShape.Column.VectorKind.Scalar))
            throw host.ExceptSchemaMismatch(nameof(schema), "label", label.Name, "Boolean", label.GetTypeString());
    }

    /// <summary>The class names: False, True for a Boolean label; the key's values (or 0, 1, ...) for a key.</summary>
    public static ClassNames Classes(LabelColumn label, ClassificationTask task) => task == ClassificationTask.Binary
        ? BinaryClasses
        : ClassNames.FromLabel(label.Column, label.Classes);

    /// <summary>The classes of a Boolean label.</summary>
    public static ClassNames BinaryClasses => new(new[] { "False", "True" });

    /// <summary>
    /// Placeholder classes for an estimator's output shape, which does not depend on the number of classes or their
    /// names (a SchemaShape carries neither): the same columns, kinds and annotations as the fitted transformer.
    /// </summary>
    public static ClassNames ShapeClasses(ClassificationTask task) => task == ClassificationTask.Binary ? BinaryClasses : new ClassNames(new[] { "0" });
}
