using System;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Native;

/// <summary>The build step that lets TorchSharp load where libstdc++ lacks GLIBCXX_3.4.32.</summary>
[TestClass]
public sealed class ElfVersionNeedsTests
{
    private static string PackageCopy()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [TestMethod]
    public void PackageLibraryRequiresTheVersionStrictlyAndIsLeftUntouched()
    {
        var path = PackageCopy();
        if (!File.Exists(path))
            Assert.Inconclusive("TorchSharp's linux-x64 native library is not in the NuGet cache on this machine.");
        Assert.IsGreaterThanOrEqualTo(0, ElfVersionNeeds.FindStrictRequirement(File.ReadAllBytes(path), ElfVersionNeeds.GlibcxxVersion),
            "the NuGet cache copy must keep its strict requirement: the build step edits only output copies");
    }

    [TestMethod]
    public void MakeWeakSetsOnlyTheWeakFlagAndIsIdempotent()
    {
        var source = PackageCopy();
        if (!File.Exists(source))
            Assert.Inconclusive("TorchSharp's linux-x64 native library is not in the NuGet cache on this machine.");
        var copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(source, copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            var flagsOffset = ElfVersionNeeds.FindStrictRequirement(before, ElfVersionNeeds.GlibcxxVersion);

            Assert.IsTrue(ElfVersionNeeds.MakeWeak(copy, ElfVersionNeeds.GlibcxxVersion));
            var after = File.ReadAllBytes(copy);
            Assert.HasCount(before.Length, after);
            var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            CollectionAssert.AreEqual(new[] { flagsOffset }, changed, "only the low byte of vna_flags may change");
            Assert.AreEqual(before[flagsOffset] | 0x2, after[flagsOffset]);
            Assert.AreEqual(-1, ElfVersionNeeds.FindStrictRequirement(after, ElfVersionNeeds.GlibcxxVersion));

            Assert.IsFalse(ElfVersionNeeds.MakeWeak(copy, ElfVersionNeeds.GlibcxxVersion), "a second run changes nothing");
            CollectionAssert.AreEqual(after, File.ReadAllBytes(copy));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [TestMethod]
    public void OutputCopyIsWeakenedExactlyWhenTheSystemLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("The build step only acts on Linux.");
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var strict = ElfVersionNeeds.FindStrictRequirement(File.ReadAllBytes(output), ElfVersionNeeds.GlibcxxVersion) >= 0;
        Assert.AreEqual(ElfVersionNeeds.SystemLibStdCxxHas(ElfVersionNeeds.GlibcxxVersion), strict);
    }

    [TestMethod]
    public void NonElfFilesAreRejected()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.FindStrictRequirement(new byte[100], "GLIBCXX_3.4.32"));
    }
}
