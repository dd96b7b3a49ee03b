using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>The trainer's SchemaShape is derived from the transformer's declared columns: the two must agree.</summary>
[TestClass]
public sealed class HanOutputShapeTests
{
    [TestMethod]
    public void TheEstimatorShapeNamesEveryOutputColumnWithTheTransformersKindTypeAndAnnotations()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(SyntheticDocuments.Generate(120, seed: 4));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 1)));
        // MapKeyToValue needs PredictedLabel to be a key with text key values: it checks the shape before any Fit.
        var shape = pipeline.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .GetOutputSchema(ShapeOf(data.Schema));
        var predicted = Find(shape, "PredictedLabel");
        Assert.AreEqual(TextDataViewType.Instance, predicted.ItemType, "MapKeyToValue turned the key into its text values");

        var model = pipeline.Fit(data);
        var expected = ShapeOf(model.Transform(data).Schema);
        var derived = pipeline.GetOutputSchema(ShapeOf(data.Schema));
        foreach (var name in new[] { "Score", "PredictedLabel", "SentenceWeights", "WordWeights", "WordWeightsSentenceLengths" })
        {
            var fitted = Find(expected, name);
            var declared = Find(derived, name);
            Assert.AreEqual(fitted.Kind, declared.Kind, name);
            Assert.AreEqual(fitted.ItemType, declared.ItemType, name);
            Assert.AreEqual(fitted.IsKey, declared.IsKey, name);
            CollectionAssert.AreEquivalent(fitted.Annotations.Select(a => a.Name).ToArray(), declared.Annotations.Select(a => a.Name).ToArray(), name);
        }
        (model as System.IDisposable)?.Dispose();
    }

    // SchemaShape.Create is internal to ML.NET (its pipelines call it); the test reaches it as ML.NET does.
    private static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic,
            new[] { typeof(DataViewSchema) })!.Invoke(null, new object[] { schema })!;

    private static SchemaShape.Column Find(SchemaShape shape, string name)
    {
        var matches = shape.Where(c => c.Name == name).ToArray();
        Assert.AreEqual(1, matches.Length, $"column {name} in the shape");
        return matches[0];
    }
}
