using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class PretrainedVectorsTests
{
    private TempFolder _folder = null!;

    [TestInitialize]
    public void CreateFolder() => _folder = new TempFolder();

    [TestCleanup]
    public void DeleteFolder() => _folder.Dispose();

    [TestMethod]
    public void ReadsGloVeWithoutHeader()
    {
        string path = _folder.WriteFile("glove.txt",
            "the 0.1 0.2 -0.3\r\ncafé 1 2 3   \r\n\r\n北京 4e-1 5 6\n");
        PretrainedVectors vectors = PretrainedVectors.Load(path);

        Assert.AreEqual(3, vectors.Dimension);
        Assert.AreEqual(3, vectors.Count);
        Assert.AreEqual(0, vectors.MalformedLineCount);
        Assert.IsTrue(vectors.TryGet("café", out float[]? cafe));
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, cafe);
        Assert.IsTrue(vectors.TryGet("北京", out float[]? beijing));
        CollectionAssert.AreEqual(new[] { 0.4f, 5f, 6f }, beijing);
        Assert.IsFalse(vectors.TryGet("The", out _));
    }

    [TestMethod]
    public void ReadsFastTextHeader()
    {
        string path = _folder.WriteFile("wiki.vec", "2 2\nhello 0.5 0.25\nworld -1 1\n");
        PretrainedVectors vectors = PretrainedVectors.Load(path);

        Assert.AreEqual(2, vectors.Dimension);
        Assert.AreEqual(2, vectors.Count);
        Assert.IsFalse(vectors.TryGet("2", out _));
        Assert.IsTrue(vectors.TryGet("world", out float[]? world));
        CollectionAssert.AreEqual(new[] { -1f, 1f }, world);
    }

    [TestMethod]
    public void SkipsAndCountsMalformedLines()
    {
        string path = _folder.WriteFile("bad.txt", "a 1 2\nb 1 oops\nc\nd 3 4\n");
        PretrainedVectors vectors = PretrainedVectors.Load(path);

        Assert.AreEqual(2, vectors.MalformedLineCount);
        Assert.AreEqual(2, vectors.Count);
        Assert.IsTrue(vectors.TryGet("d", out _));
    }

    [TestMethod]
    public void NonFiniteOrAbsurdComponentsAreRefusedNamingFileAndLine()
    {
        // A component such as -3.4e38 trained a HAN whose every output was NaN, and the fit ended normally (issue 33).
        foreach (var (component, shown) in new[] { ("NaN", "NaN"), ("-Infinity", "-Infinity"), ("-3.4e38", "-3.4E+38") })
        {
            string path = _folder.WriteFile("absurd.txt", $"a 1 2\nb 0.5 {component}\n");
            var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
            StringAssert.Contains(error.Message, $"Line 2 of '{path}' (word 'b'): component 2 is {shown}");
        }
    }

    [TestMethod]
    public void AHugeLineOrHeaderIsRefusedBeforeItSizesAnything()
    {
        string path = _folder.WriteFile("wide.txt", "a " + string.Join(" ", Enumerable.Repeat("0.1", 1_000_000)) + "\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
        StringAssert.Contains(error.Message, $"Line 1 of '{path}' (word 'a') has 1000000 components; at most 10000");

        path = _folder.WriteFile("header.txt", "3 43000\na 1 2\n");
        error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
        StringAssert.Contains(error.Message, "Line 1");
        StringAssert.Contains(error.Message, "43000 components");

        path = _folder.WriteFile("later.txt", "a 1 2\nb " + string.Join(" ", Enumerable.Repeat("0.1", 20_000)) + "\n");
        error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
        StringAssert.Contains(error.Message, "Line 2");
    }

    [TestMethod]
    public void InconsistentDimensionNamesTheLine()
    {
        string path = _folder.WriteFile("mixed.txt", "a 1 2 3\nb 1 2 3\nc 1 2\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
        StringAssert.Contains(error.Message, "Line 3");
        StringAssert.Contains(error.Message, "'c'");
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void HeaderDimensionIsEnforced()
    {
        string path = _folder.WriteFile("short.vec", "1 3\nword 1 2\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
        StringAssert.Contains(error.Message, "Line 2");
    }

    [TestMethod]
    public void KeepFilterDropsOtherWords()
    {
        string path = _folder.WriteFile("glove.txt", "a 1 1\nb 2 2\nc 3 3\n");
        PretrainedVectors vectors = PretrainedVectors.Load(path, word => word != "b");

        Assert.AreEqual(2, vectors.Count);
        Assert.IsFalse(vectors.TryGet("b", out _));
        Assert.IsTrue(vectors.TryGet("c", out _));
    }

    [TestMethod]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_folder.Path, "absent.vec");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedVectors.Load(path));
        Assert.AreEqual(path, error.FileName);
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void EmptyFileIsAnError()
    {
        string path = _folder.WriteFile("empty.txt", "\n\n");
        Assert.ThrowsExactly<InvalidDataException>(() => PretrainedVectors.Load(path));
    }
}
