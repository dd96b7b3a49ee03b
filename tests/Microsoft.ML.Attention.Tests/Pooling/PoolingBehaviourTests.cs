using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Pooling;

[TestClass]
public sealed class PoolingBehaviourTests
{
    private sealed class FixedRow
    {
        [VectorType(10)]
        public float[] Sequence { get; set; } = new float[10];
    }

    private sealed class TextRow
    {
        public string Sequence { get; set; } = "";
    }

    internal static AttentionPoolingEstimator.Options Fast(PoolingMode mode = PoolingMode.Attention, int vectorSize = 2) => new()
    {
        InputColumnName = "Sequence",
        OutputColumnName = "Pooled",
        WeightsColumnName = mode == PoolingMode.Max ? null : "Weights",
        LabelColumnName = "Label",
        VectorSize = vectorSize,
        Mode = mode,
        NumberOfEpochs = 3,
        AttentionSize = 8,
    };

    private static (List<float[]> Pooled, List<float[]> Weights) Run(MLContext ml, IEnumerable<SequenceRow> rows, PoolingMode mode, int vectorSize = 2)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionPooling(Fast(mode, vectorSize))).Fit(data);
        var output = model.Transform(data);
        return (ColumnAssert.Vectors(output, "Pooled"), mode == PoolingMode.Max ? new List<float[]>() : ColumnAssert.Vectors(output, "Weights"));
    }

    // SchemaShape.Create is internal; this is what ML.NET does before an estimator's GetOutputSchema.
    private static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, new object[] { schema })!;

    private static SequenceRow Row(params float[] values) => new SequenceRow { Sequence = values };

    [TestMethod]
    public void MeanAndMaxPoolingMatchHandComputedValues()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { Row(1, 2, 3, -4), Row(-1, 5), Row() };
        rows[0].Label = "a";
        rows[1].Label = "b";
        var (mean, weights) = Run(ml, rows, PoolingMode.Mean);
        CollectionAssert.AreEqual(new float[] { 2, -1 }, mean[0]);
        CollectionAssert.AreEqual(new float[] { 0.5f, 0.5f }, weights[0]);
        CollectionAssert.AreEqual(new float[] { -1, 5 }, mean[1]);
        CollectionAssert.AreEqual(new float[] { 1 }, weights[1]);
        CollectionAssert.AreEqual(new float[] { 0, 0 }, mean[2], "an empty sequence pools to zeros");
        Assert.IsEmpty(weights[2], "an empty sequence has no weights");

        var (max, _) = Run(ml, rows, PoolingMode.Max);
        CollectionAssert.AreEqual(new float[] { 3, 2 }, max[0]);
        CollectionAssert.AreEqual(new float[] { -1, 5 }, max[1]);
        CollectionAssert.AreEqual(new float[] { 0, 0 }, max[2]);
    }

    [TestMethod]
    public void ADisposedTransformerSaysSoInsteadOfFailingInLibtorch()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { Row(1, 2, 3, -4), Row(-1, 5) };
        rows[0].Label = "a";
        rows[1].Label = "b";
        var data = ml.Data.LoadFromEnumerable(rows);
        var pooling = ml.Transforms.AttentionPooling(Fast(PoolingMode.Attention, 2)).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
        pooling.Dispose();
        pooling.Dispose(); // a second Dispose is harmless
        Assert.ThrowsExactly<ObjectDisposedException>(() => pooling.Transform(data));
        Assert.ThrowsExactly<ObjectDisposedException>(() => pooling.GetOutputSchema(data.Schema));
        Assert.ThrowsExactly<ObjectDisposedException>(() => ml.Model.Save(pooling, data.Schema, new System.IO.MemoryStream()));
    }

    private sealed class FixedSix
    {
        [VectorType(6)]
        public float[] Sequence { get; set; } = new float[6];
    }

    [TestMethod]
    public void FixedLengthColumnsPoolLikeVariableLengthOnes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FixedSix { Sequence = new float[] { 1, 2, 3, 4, 5, 6 } } });
        var model = ml.Transforms.AttentionPooling("Pooled", "Sequence", 2, weightsColumnName: "Weights", mode: PoolingMode.Mean).Fit(data);
        var output = model.Transform(data);
        Assert.AreEqual(2, ((VectorDataViewType)output.Schema["Pooled"].Type).Size);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, ColumnAssert.Vectors(output, "Pooled")[0]);
        FloatAssert.AreClose(new[] { 1f / 3, 1f / 3, 1f / 3 }, ColumnAssert.Vectors(output, "Weights")[0], "weights", 1e-6);
    }

    [TestMethod]
    public void AttentionPoolingIsTheWeightedSumOfItsReportedWeights()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(50, vectorSize: 2, seed: 3, minLength: 0, maxLength: 9);
        var (pooled, weights) = Run(ml, rows, PoolingMode.Attention);
        for (int r = 0; r < rows.Count; r++)
        {
            var values = rows[r].Sequence;
            int length = values.Length / 2;
            Assert.HasCount(length, weights[r]);
            if (length == 0)
            {
                CollectionAssert.AreEqual(new float[] { 0, 0 }, pooled[r]);
                continue;
            }
            Assert.AreEqual(1.0, weights[r].Sum(w => (double)w), 1e-5);
            Assert.IsTrue(weights[r].All(w => w > 0 && w < 1 || length == 1));
            for (int d = 0; d < 2; d++)
            {
                double expected = 0;
                for (int t = 0; t < length; t++)
                    expected += weights[r][t] * (double)values[t * 2 + d];
                Assert.AreEqual(expected, pooled[r][d], 1e-5, $"row {r}, dimension {d}");
            }
        }
    }

    [TestMethod]
    public void WrongColumnsFailWithSchemaErrorsNamingColumnExpectedAndFound()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(new[] { Row(1, 2) });

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionPooling("P", "Nope", 2, mode: PoolingMode.Mean).Fit(rows));
        StringAssert.Contains(missing.Message, "'Nope'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionPooling("P", "Nope", 2, mode: PoolingMode.Mean).GetOutputSchema(ShapeOf(rows.Schema)));

        var text = ml.Data.LoadFromEnumerable(new[] { new TextRow { Sequence = "a" } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionPooling("P", "Sequence", 2, mode: PoolingMode.Mean).Fit(text));
        StringAssert.Contains(wrongType.Message, "'Sequence'");
        StringAssert.Contains(wrongType.Message, "vector of Single");
        StringAssert.Contains(wrongType.Message, "String");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionPooling("P", "Sequence", 2, mode: PoolingMode.Mean).GetOutputSchema(ShapeOf(text.Schema)));

        var fixedTen = ml.Data.LoadFromEnumerable(new[] { new FixedRow() });
        var notMultiple = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionPooling("P", "Sequence", 4, mode: PoolingMode.Mean).Fit(fixedTen));
        StringAssert.Contains(notMultiple.Message, "multiple of 4");
        StringAssert.Contains(notMultiple.Message, "Vector<Single, 10>");
    }

    [TestMethod]
    public void BadRowsFailWithMessagesNamingColumnRowAndProblem()
    {
        var ml = new MLContext(seed: 1);
        var good = ml.Data.LoadFromEnumerable(new[] { Row(1, 2) });
        var model = ml.Transforms.AttentionPooling("P", "Sequence", 2, mode: PoolingMode.Mean).Fit(good);

        var ragged = ml.Data.LoadFromEnumerable(new[] { Row(1, 2), Row(1, 2, 3) });
        var error = Assert.Throws<Exception>(() => ColumnAssert.Vectors(model.Transform(ragged), "P"));
        StringAssert.Contains(error.Message, "Column 'Sequence', row 1");
        StringAssert.Contains(error.Message, "found 3");

        var nan = ml.Data.LoadFromEnumerable(new[] { Row(1, float.NaN) });
        var nanError = Assert.Throws<Exception>(() => ColumnAssert.Vectors(model.Transform(nan), "P"));
        StringAssert.Contains(nanError.Message, "NaN");
    }

    [TestMethod]
    public void InvalidOptionsAreRejectedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling("P", "S", 0, "Label"));
        var noLabel = Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling("P", "S", 2));
        StringAssert.Contains(noLabel.Message, "LabelColumnName");
        Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
        {
            InputColumnName = "S", VectorSize = 2, LabelColumnName = "L", Distribution = AttentionDistributionKind.Local,
        }));
        Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
        {
            InputColumnName = "S", VectorSize = 2, QueryColumnName = "Q", ScoreFunction = AttentionScoreFunction.Location,
        }));
        Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling("P", "S", 2, "Label", weightsColumnName: "W", mode: PoolingMode.Max));
        Assert.Throws<ArgumentException>(() => ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
        {
            InputColumnName = "S", OutputColumnName = "P", VectorSize = 2, ScoreFunction = AttentionScoreFunction.Dot,
        }));
    }
}
