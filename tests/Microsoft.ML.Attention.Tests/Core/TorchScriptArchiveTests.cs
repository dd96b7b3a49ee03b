using Microsoft.ML.Attention.Core;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Core;

[TestClass]
public sealed class TorchScriptArchiveTests
{
    [TestMethod]
    public void AModuleWrittenFromSourceLoadsAndRunsItsMethods()
    {
        using var scope = NewDisposeScope();
        const string methods = @"  def scaled_sum(self, x: Tensor, y: Tensor) -> Tensor:
    return x * 3.0 + y
  def is_training(self) -> bool:
    return self.training
";
        using var module = jit.load(TorchScriptArchive.Module("Sample", methods));
        var x = tensor(new[] { 1f, 2f });
        var y = tensor(new[] { 0.5f, -1f });

        var result = (Tensor)module.invoke("scaled_sum", x, y);

        CollectionAssert.AreEqual(new[] { 3.5f, 5f }, result.data<float>().ToArray());
        using var training = (Scalar)module.invoke("is_training");
        Assert.IsFalse(training.ToBoolean(), "The archive's module object is written in eval mode.");
    }
}
