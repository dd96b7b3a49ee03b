using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class VocabularyTests
{
    private static readonly string[] Tokens = "b a c a b d B e e e".Split(' ');

    [TestMethod]
    public void OrdersByDescendingCountThenOrdinally()
    {
        Vocabulary vocabulary = VocabularyBuilder.Build(Tokens, minimumCount: 1);
        // e×3, then the tie a/b×2, then the tie B/c/d×1; ordinal order puts upper case first.
        CollectionAssert.AreEqual(
            new[] { "<pad>", "<unk>", "e", "a", "b", "B", "c", "d" }, vocabulary.Words.ToArray());
        Assert.AreEqual(5, vocabulary.GetId("B"));
    }

    [TestMethod]
    public void IdsDoNotDependOnInputOrder()
    {
        Vocabulary forward = VocabularyBuilder.Build(Tokens, minimumCount: 1);
        Vocabulary backward = VocabularyBuilder.Build(Tokens.Reverse(), minimumCount: 1);
        CollectionAssert.AreEqual(forward.Words.ToArray(), backward.Words.ToArray());
    }

    [TestMethod]
    public void RareWordsMapToUnknown()
    {
        Vocabulary vocabulary = VocabularyBuilder.Build(Tokens); // minimum count 2 by default
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "e", "a", "b" }, vocabulary.Words.ToArray());
        Assert.AreEqual(Vocabulary.UnknownId, vocabulary.GetId("c"));
        Assert.AreEqual(Vocabulary.UnknownId, vocabulary.GetId("never seen"));
        Assert.AreEqual(2, vocabulary.GetId("e"));
        Assert.IsFalse(vocabulary.Contains("c"));
    }

    [TestMethod]
    public void MaximumSizeCountsPaddingAndUnknown()
    {
        Vocabulary vocabulary = VocabularyBuilder.Build(Tokens, minimumCount: 1, maximumSize: 4);
        Assert.AreEqual(4, vocabulary.Count);
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "e", "a" }, vocabulary.Words.ToArray());
    }

    [TestMethod]
    public void ReservedIdsAreFixed()
    {
        var builder = new VocabularyBuilder(minimumCount: 1);
        builder.Add(new[] { "<unk>", "<pad>", "x", "" });
        Vocabulary vocabulary = builder.Build();
        Assert.AreEqual(3, vocabulary.Count);
        Assert.AreEqual("<pad>", vocabulary.GetWord(Vocabulary.PaddingId));
        Assert.AreEqual("<unk>", vocabulary.GetWord(Vocabulary.UnknownId));
        Assert.AreEqual(Vocabulary.UnknownId, vocabulary.GetId("<unk>"));
        Assert.AreEqual(Vocabulary.UnknownId, vocabulary.GetId("<pad>"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => vocabulary.GetWord(3));
    }

    [TestMethod]
    public void CountsTokenizedDocuments()
    {
        var builder = new VocabularyBuilder(minimumCount: 2);
        builder.Add(new DocumentTokenizer().Tokenize("Good food. GOOD service!"));
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "good" }, builder.Build().Words.ToArray());
    }

    [TestMethod]
    public void RoundTripsThroughBinaryWriter()
    {
        Vocabulary original = VocabularyBuilder.Build(Tokens.Append("日本").Append("日本"), minimumCount: 1);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            original.Write(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        Vocabulary copy = Vocabulary.Read(reader);

        CollectionAssert.AreEqual(original.Words.ToArray(), copy.Words.ToArray());
        Assert.AreEqual(original.GetId("日本"), copy.GetId("日本"));
        Assert.AreEqual(stream.Length, stream.Position);
    }

    [TestMethod]
    public void ReadRejectsAnUnknownVersion()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(99);
            writer.Write(0);
        }
        stream.Position = 0;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Vocabulary.Read(new BinaryReader(stream)));
        StringAssert.Contains(error.Message, "99");
    }

    [TestMethod]
    public void TokenIdsFollowTheVocabulary()
    {
        Vocabulary vocabulary = VocabularyBuilder.Build(new[] { "good", "good", "food", "food", "bad" });
        TokenizedDocument document = new DocumentTokenizer().Tokenize("Good food. Bad!");
        int[][] ids = TokenIds.FromDocument(document, vocabulary);

        int good = vocabulary.GetId("good"), food = vocabulary.GetId("food");
        Assert.HasCount(2, ids);
        CollectionAssert.AreEqual(new[] { good, food, Vocabulary.UnknownId }, ids[0]);
        CollectionAssert.AreEqual(new[] { Vocabulary.UnknownId, Vocabulary.UnknownId }, ids[1]);
        Assert.IsEmpty(TokenIds.FromDocument(new DocumentTokenizer().Tokenize(null), vocabulary));
    }
}
