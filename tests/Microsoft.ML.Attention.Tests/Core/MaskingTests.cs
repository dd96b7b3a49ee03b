using System;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static Microsoft.ML.Attention.Tests.Core.CoreTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class MaskingTests
{
    [TestMethod]
    public void FromLengthsMarksTheFirstLengthPositions()
    {
        using var scope = NewDisposeScope();
        var mask = Masking.FromLengths(tensor(new long[] { 2, 0, 3 }), 3);
        Assert.AreEqual(ScalarType.Bool, mask.dtype);
        AssertShape(mask, 3, 3);
        CollectionAssert.AreEqual(
            new[] { true, true, false, false, false, false, true, true, true },
            BoolValues(mask));
    }

    [TestMethod]
    public void SlidingWindowIsBandOfHalfWidth()
    {
        using var scope = NewDisposeScope();
        var mask = Masking.SlidingWindow(4, 1);
        AssertShape(mask, 4, 4);
        CollectionAssert.AreEqual(
            new[]
            {
                true, true, false, false,
                true, true, true, false,
                false, true, true, true,
                false, false, true, true,
            },
            BoolValues(mask));
        CollectionAssert.AreEqual(new[] { true, false, false, true }, BoolValues(Masking.SlidingWindow(2, 0)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Masking.SlidingWindow(3, -1));
    }

    [TestMethod]
    public void CombineIsBroadcastAndWithNullMeaningAll()
    {
        using var scope = NewDisposeScope();
        var padding = Bools(new[] { true, true, false }, 1, 3);
        var window = Masking.SlidingWindow(3, 0);
        Assert.IsNull(Masking.Combine(null, null));
        CollectionAssert.AreEqual(BoolValues(padding), BoolValues(Masking.Combine(padding, null)!));
        CollectionAssert.AreEqual(BoolValues(padding), BoolValues(Masking.Combine(null, padding)!));
        CollectionAssert.AreEqual(
            new[] { true, false, false, false, true, false, false, false, false },
            BoolValues(Masking.Combine(padding, window)!));
    }

    [TestMethod]
    public void SoftmaxWithoutMaskIsSoftmax()
    {
        using var scope = NewDisposeScope();
        AssertClose(new[] { 0.25, 0.75 }, Masking.Softmax(Doubles(new[] { 0.0, Math.Log(3) }, 1, 2), null));
    }

    [TestMethod]
    public void SoftmaxIgnoresHugeMaskedScoresAndHandlesEmptyRows()
    {
        using var scope = NewDisposeScope();
        var scores = Doubles(new[] { 1.0, 2.0, 1e308, double.PositiveInfinity }, 1, 4);
        var weights = Masking.Softmax(scores, Bools(new[] { true, true, false, false }, 4));
        var expected = Softmax(1.0, 2.0);
        AssertClose(new[] { expected[0], expected[1], 0.0, 0.0 }, weights);

        var empty = Masking.Softmax(zeros(2, 0, dtype: ScalarType.Float64), Bools(Array.Empty<bool>(), 0));
        AssertShape(empty, 2, 0);
    }
}
