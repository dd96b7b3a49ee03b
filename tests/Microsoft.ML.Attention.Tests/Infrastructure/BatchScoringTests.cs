using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

[TestClass]
public sealed class BatchScoringTests
{
    /// <summary>Rows handed out on demand, counting how many were taken.</summary>
    private sealed class CountingRows
    {
        private readonly List<SequenceRow> _rows;

        public CountingRows(List<SequenceRow> rows) => _rows = rows;

        public int Taken { get; private set; }

        public IEnumerable<SequenceRow> Enumerate()
        {
            foreach (var row in _rows)
            {
                Taken++;
                yield return row;
            }
        }
    }

    [TestMethod]
    public void TransformIsLazyAndReadsTheModelInputAheadOneBatchAtATime()
    {
        var ml = new MLContext(seed: 1);
        var rows = SequenceData.Generate(1000, vectorSize: 2, seed: 3);
        var model = ml.Transforms.AttentionPooling("Pooled", "Sequence", 2, mode: PoolingMode.Mean).Fit(ml.Data.LoadFromEnumerable(rows));

        var counting = new CountingRows(rows);
        var output = model.Transform(ml.Data.LoadFromEnumerable(counting.Enumerate()));
        Assert.AreEqual(0, counting.Taken, "Transform must not read any row");

        var pooled = output.Schema["Pooled"];
        var label = output.Schema["Label"];
        using var cursor = output.GetRowCursor(new[] { pooled, label });
        var getPooled = cursor.GetGetter<VBuffer<float>>(pooled);
        var getLabel = cursor.GetGetter<System.ReadOnlyMemory<char>>(label);
        var buffer = default(VBuffer<float>);
        var text = default(System.ReadOnlyMemory<char>);
        Assert.IsTrue(cursor.MoveNext());
        getPooled(ref buffer);
        // The follow cursor took one row; the lead cursor read one batch (256 rows) ahead for the model.
        Assert.AreEqual(1 + 256, counting.Taken);

        int count = 1;
        while (cursor.MoveNext())
        {
            getPooled(ref buffer);
            getLabel(ref text);
            var row = rows[(int)cursor.Position];
            Assert.AreEqual(row.Label, text.ToString(), "pass-through columns stay aligned with the scored ones");
            var expected = Enumerable.Range(0, 2).Select(d => Enumerable.Range(0, row.Sequence.Length / 2).Select(t => row.Sequence[t * 2 + d]).DefaultIfEmpty(0).Average()).ToArray();
            for (int d = 0; d < 2; d++)
                Assert.AreEqual(expected[d], buffer.GetValues()[d], 1e-5, $"row {cursor.Position}");
            count++;
        }
        Assert.AreEqual(1000, count);
    }
}
