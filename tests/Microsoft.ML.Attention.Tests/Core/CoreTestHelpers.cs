using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

// Small helpers for building float64 tensors from literals and comparing them with hand-computed values.
internal static class CoreTestHelpers
{
    public const double Tolerance = 1e-12;

    public static Tensor Doubles(double[] values, params long[] shape) => tensor(values, shape, ScalarType.Float64);

    public static Tensor Bools(bool[] values, params long[] shape) => tensor(values, shape);

    public static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    public static bool[] BoolValues(Tensor t) => t.to_type(ScalarType.Bool).contiguous().data<bool>().ToArray();

    public static void Set(Tensor parameter, double[] values)
    {
        using var _ = no_grad();
        using var source = tensor(values, parameter.shape, parameter.dtype);
        parameter.copy_(source);
    }

    public static void AssertClose(double[] expected, Tensor actual, double tolerance = Tolerance)
    {
        var values = Values(actual);
        Assert.HasCount(expected.Length, values);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], values[i], tolerance, $"Element {i}: expected {expected[i]}, got {values[i]}.");
        }
    }

    public static void AssertShape(Tensor t, params long[] shape)
        => CollectionAssert.AreEqual(shape, t.shape, $"Shape [{string.Join(", ", t.shape)}]");

    public static void AssertAllFinite(Tensor t)
    {
        foreach (var v in Values(t))
            Assert.IsTrue(double.IsFinite(v), $"Non-finite value {v}.");
    }

    public static double[] Softmax(params double[] scores)
    {
        var max = scores.Max();
        var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }
}
