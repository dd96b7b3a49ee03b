using System;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class EmbeddingMatrixTests
{
    private TempFolder _folder = null!;
    private PretrainedVectors _vectors = null!;
    private Vocabulary _vocabulary = null!;

    [TestInitialize]
    public void CreateVectors()
    {
        _folder = new TempFolder();
        string path = _folder.WriteFile("glove.txt", "the 1 2\nparis 3 4\nunused 5 6\n");
        _vectors = PretrainedVectors.Load(path);
        _vocabulary = new Vocabulary(new[] { "the", "Paris", "zebra" });
    }

    [TestCleanup]
    public void DeleteFolder() => _folder.Dispose();

    private float[] Row(EmbeddingMatrix matrix, int id) =>
        matrix.Values.Skip(id * matrix.Dimension).Take(matrix.Dimension).ToArray();

    [TestMethod]
    public void UsesPretrainedRowsAndReportsCoverage()
    {
        EmbeddingMatrix matrix = EmbeddingMatrix.Build(_vocabulary, _vectors, seed: 7);

        Assert.AreEqual(5, matrix.RowCount);
        Assert.AreEqual(2, matrix.Dimension);
        Assert.HasCount(10, matrix.Values);
        Assert.AreEqual(2, matrix.FoundCount);
        Assert.AreEqual(2.0 / 3, matrix.Coverage, 1e-9);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, Row(matrix, _vocabulary.GetId("the")));
        // Found through the lower-cased fallback.
        CollectionAssert.AreEqual(new[] { 3f, 4f }, Row(matrix, _vocabulary.GetId("Paris")));
    }

    [TestMethod]
    public void PaddingIsZeroAndOtherRowsAreSmallAndSeeded()
    {
        EmbeddingMatrix matrix = EmbeddingMatrix.Build(_vocabulary, _vectors, seed: 7, randomScale: 0.1f);

        CollectionAssert.AreEqual(new[] { 0f, 0f }, Row(matrix, Vocabulary.PaddingId));
        float[] unknown = Row(matrix, Vocabulary.UnknownId);
        float[] zebra = Row(matrix, _vocabulary.GetId("zebra"));
        Assert.IsTrue(unknown.Concat(zebra).All(v => Math.Abs(v) <= 0.1f));
        Assert.IsTrue(unknown.Concat(zebra).Any(v => v != 0));

        CollectionAssert.AreEqual(matrix.Values, EmbeddingMatrix.Build(_vocabulary, _vectors, seed: 7).Values);
        CollectionAssert.AreNotEqual(matrix.Values, EmbeddingMatrix.Build(_vocabulary, _vectors, seed: 8).Values);
    }

    [TestMethod]
    public void WordFilterKeepsWordsTheMatrixCanUse()
    {
        Func<string, bool> keep = EmbeddingMatrix.WordFilter(_vocabulary);
        Assert.IsTrue(keep("the"));
        Assert.IsTrue(keep("paris"));
        Assert.IsTrue(keep("Paris"));
        Assert.IsFalse(keep("unused"));
        Assert.IsFalse(keep("<unk>"));
    }
}
