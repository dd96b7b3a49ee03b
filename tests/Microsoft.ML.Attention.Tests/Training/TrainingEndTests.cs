using System;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// What training leaves behind: the module in eval mode and no gradients, which would otherwise live as long as the
/// fitted model and take as much memory as its weights.
/// </summary>
[TestClass]
public sealed class TrainingEndTests
{
    [TestMethod]
    public void TrainingLeavesNoGradientsAndEvalMode()
    {
        using var network = new SmallClassifier(seed: 5);
        var before = network.Model.parameters().Select(p => p.data<float>().ToArray()).ToArray();
        network.Train(new TrainingSettings(2, 8, 0.05, 1, 0, 1, OptimizerKind.AdamW), Array.Empty<int>(), _ => default);
        Assert.IsTrue(network.Model.parameters().Zip(before).Any(p => !p.First.data<float>().ToArray().SequenceEqual(p.Second)), "training moved the weights");
        Assert.IsTrue(network.Model.parameters().All(p => p.grad is null), "no gradient is kept after training");
        Assert.IsFalse(network.Model.training, "eval mode");
    }
}
