using System;
using System.Diagnostics;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

[TestClass]
public sealed class FreshProcessTimeoutTests
{
    [TestMethod]
    public void AChildThatHangsIsKilledAndFailsTheTest()
    {
        if (OperatingSystem.IsWindows())
            Assert.Inconclusive("The hanging child is 'sleep', which Windows lacks.");
        var start = new ProcessStartInfo("sleep");
        start.ArgumentList.Add("600");
        var error = Assert.ThrowsExactly<AssertFailedException>(() => FreshProcess.RunWithTimeout(start, TimeSpan.FromSeconds(1), out _));
        StringAssert.Contains(error.Message, "did not finish within 1 s");
    }

    [TestMethod]
    public void AChildThatFinishesGivesItsExitCodeAndOutput()
    {
        if (OperatingSystem.IsWindows())
            Assert.Inconclusive("The child is 'sh', which Windows lacks.");
        var start = new ProcessStartInfo("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("echo one; echo two; echo oops >&2; exit 3");
        var (exitCode, lines) = FreshProcess.RunWithTimeout(start, TimeSpan.FromMinutes(1), out var errors);
        Assert.AreEqual(3, exitCode);
        CollectionAssert.AreEqual(new[] { "one", "two" }, lines);
        Assert.AreEqual("oops\n", errors);
    }
}
