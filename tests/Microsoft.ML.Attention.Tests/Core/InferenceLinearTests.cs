using System;
using System.Runtime.InteropServices;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class InferenceLinearTests
{
    [TestMethod]
    public void IsUsedOnX64()
    {
        // Without this, every test below could pass through the layers' own kernels and prove nothing.
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.IsTrue(InferenceLinear.Available, "The oneDNN path should be available on x64 libtorch.");
    }

    [TestMethod]
    public void SeveralLayersOfOneInputEqualTheirProductsInDoublePrecision()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var (a, b) = (Layer(24, 16), Layer(24, 8));
        var x = randn(2, 5, 24);

        Tensor[] outputs;
        using (no_grad())
            outputs = InferenceLinear.Forward(x, a, b);

        CollectionAssert.AreEqual(new long[] { 2, 5, 16 }, outputs[0].shape);
        CollectionAssert.AreEqual(new long[] { 2, 5, 8 }, outputs[1].shape);
        AssertClose(Reference(x, a), outputs[0]);
        AssertClose(Reference(x, b), outputs[1]);
    }

    [TestMethod]
    public void GeluAfterTheProductIsGeluWithErfInDoublePrecision()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var up = Layer(12, 48);
        var x = randn(3, 7, 12);

        Tensor result;
        using (no_grad())
            result = InferenceLinear.ForwardGelu(x, up);

        var hidden = Reference(x, up);
        var expected = hidden * 0.5 * (1.0 + special.erf(hidden / Math.Sqrt(2.0)));
        AssertClose(expected, result);
    }

    [TestMethod]
    public void ResidualAddedToTheProductEqualsTheSumInDoublePrecision()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(9);
        var down = Layer(48, 12);
        var x = randn(3, 7, 48);
        var residual = randn(3, 7, 12);

        Tensor result;
        using (no_grad())
            result = InferenceLinear.ForwardAdd(x, down, residual);

        AssertClose(Reference(x, down) + residual.to(ScalarType.Float64), result);
    }

    [TestMethod]
    public void LayersPackedForOneBatchSizeGiveTheSameValuesForAnother()
    {
        // The packed layout is chosen for 1,024 rows; a PredictionEngine's row and a long batch use it too.
        using var scope = NewDisposeScope();
        random.manual_seed(10);
        var layer = Layer(32, 20);
        using (no_grad())
        {
            foreach (var rows in new[] { 1, 3, 1024, 2500 })
            {
                var x = randn(rows, 32);
                AssertClose(Reference(x, layer), InferenceLinear.Forward(x, layer)[0]);
            }
        }
    }

    [TestMethod]
    [DataRow("2.10.0.0", true)]
    [DataRow("2.2.1", true)]
    [DataRow("2.1.0", false)]
    [DataRow("3.0.0", false)]
    [DataRow("unknown", false)]
    public void FusedKernelsAreOnlyLoadedFromLibtorchVersionsWhoseOperatorsAreKnown(string version, bool known)
    {
        // Loading TorchScript that names an operator libtorch lacks ends the process: the version gate is what stops it.
        Assert.AreEqual(known, InferenceLinear.KnownLibtorch(version));
    }

    [TestMethod]
    public void ChangedWeightsAreRepackedBeforeTheNextCall()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var layer = Layer(10, 6);
        var x = randn(4, 10);
        using (no_grad())
        {
            InferenceLinear.Forward(x, layer);
            // What an optimizer step or a checkpoint load does: change the weights in place.
            layer.weight!.mul_(-2.0);
            layer.bias!.add_(1.0);
            AssertClose(Reference(x, layer), InferenceLinear.Forward(x, layer)[0]);
        }
    }

    [TestMethod]
    public void TrainingAndGradientsGoThroughTheLayerItself()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(6);
        var layer = Layer(8, 3);
        var x = randn(5, 8);
        var y = InferenceLinear.Forward(x, layer)[0];
        Assert.IsTrue(y.requires_grad, "With gradients on, the output must be differentiable.");
        y.sum().backward();
        Assert.IsNotNull(layer.weight!.grad);
        AssertClose(Reference(x, layer), y);
    }

    [TestMethod]
    public void ReleaseDropsThePackedWeightsAndTheLayerStillWorks()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(8);
        var module = nn.Sequential(("first", Layer(6, 6)), ("second", Layer(6, 2)));
        var first = (Linear)module[0];
        var x = randn(3, 6);
        using (no_grad())
        {
            InferenceLinear.Forward(x, first);
            InferenceLinear.Release(module);
            AssertClose(Reference(x, first), InferenceLinear.Forward(x, first)[0]);
        }
    }

    private static Linear Layer(int inputs, int outputs)
    {
        var layer = nn.Linear(inputs, outputs);
        layer.eval();
        return layer;
    }

    private static Tensor Reference(Tensor x, Linear layer)
        => x.to(ScalarType.Float64).matmul(layer.weight!.detach().to(ScalarType.Float64).t()) + layer.bias!.detach().to(ScalarType.Float64);

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape);
        var difference = (expected - actual.to(ScalarType.Float64)).abs().max().item<double>();
        var scale = expected.abs().max().item<double>();
        // Float products of a few dozen terms: within 1e-5 of the largest value.
        Assert.IsTrue(difference <= 1e-5 * Math.Max(1.0, scale), $"Largest difference {difference} (values up to {scale}).");
    }
}
