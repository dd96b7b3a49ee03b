using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

/// <summary>
/// A fit's draws come from its own generator, lent to libtorch's default one for the time of each drawing operation;
/// backward passes reuse the masks the forward pass saved, so they draw nothing and need no lock.
/// </summary>
[TestClass]
public sealed class FitGeneratorTests
{
    [TestMethod]
    public void DrawsFollowTheFitsSeedAndLeaveTheDefaultGeneratorAsFound()
    {
        using var scope = NewDisposeScope();
        var x = ones(64, 64);
        random.manual_seed(5);
        var expected = nn.functional.dropout(x, 0.5, training: true);
        var then = nn.functional.dropout(x, 0.5, training: true);

        random.manual_seed(123);
        var before = random.get_rng_state();
        Tensor first, second;
        using (FitGenerator.Begin(5))
        {
            first = FitGenerator.Draw(() => nn.functional.dropout(x, 0.5, training: true));
            Assert.IsTrue(Same(random.get_rng_state(), before), "between draws the default generator is the application's");
            second = FitGenerator.Draw(() => nn.functional.dropout(x, 0.5, training: true));
        }
        Assert.IsTrue(Same(first, expected) && Same(second, then), "a fit's draws continue one generator seeded with its seed");
        Assert.IsTrue(Same(random.get_rng_state(), before), "the fit leaves the default generator as it found it");
    }

    [TestMethod]
    public void BackwardOfDropoutAndFusedAttentionDrawsNothing()
    {
        using var scope = NewDisposeScope();
        using var fit = FitGenerator.Begin(9);
        using var dropout = new FitDropout(0.3);
        dropout.train();
        var input = randn(2, 2, 6, 8).requires_grad_(true);
        var mask = ones(new long[] { 2, 1, 6, 6 }, ScalarType.Bool);
        var output = FusedAttention.ScaledDotSoftmax(dropout.call(input), input, input, mask, dropout: 0.3);
        var before = random.get_rng_state();

        output.sum().backward();

        Assert.IsTrue(Same(random.get_rng_state(), before), "backward drew from the default generator");
        Assert.IsTrue(input.grad is not null && input.grad.abs().sum().item<float>() > 0);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
