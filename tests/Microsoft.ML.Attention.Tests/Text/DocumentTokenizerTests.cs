using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class DocumentTokenizerTests
{
    [TestMethod]
    public void BuildsSentencesOfTokensAlignedToTheText()
    {
        const string text = "The food was great! Service, however... was slow.\nWould return.";
        TokenizedDocument document = new DocumentTokenizer().Tokenize(text);

        Assert.AreEqual(text, document.Text);
        Assert.HasCount(3, document.Sentences);
        Assert.IsFalse(document.IsTruncated);
        CollectionAssert.AreEqual(
            new[] { "service", ",", "however", ".", ".", ".", "was", "slow", "." },
            document.Sentences[1].Tokens.Select(t => t.Text).ToArray());
        foreach (TokenizedSentence sentence in document.Sentences)
        {
            foreach (Token token in sentence.Tokens)
            {
                Assert.IsGreaterThanOrEqualTo(sentence.Span.Start, token.Span.Start);
                Assert.IsLessThanOrEqualTo(sentence.Span.End, token.Span.End);
                Assert.AreEqual(token.Span.Of(text).ToLowerInvariant(), token.Text);
            }
        }
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow(" \n\t ")]
    public void BlankTextGivesNoSentences(string? text)
    {
        TokenizedDocument document = new DocumentTokenizer().Tokenize(text);
        Assert.IsEmpty(document.Sentences);
        Assert.IsFalse(document.IsTruncated);
    }

    [TestMethod]
    public void ReportsSentencesAndTokensCutByTheLimits()
    {
        var options = new DocumentTokenizerOptions { MaximumSentences = 2, MaxTokensPerSentence = 3 };
        TokenizedDocument document = new DocumentTokenizer(options)
            .Tokenize("One two three four five. Six seven. Eight. Nine ten.");

        Assert.HasCount(2, document.Sentences);
        CollectionAssert.AreEqual(new[] { "one", "two", "three" }, document.Sentences[0].Tokens.Select(t => t.Text).ToArray());
        Assert.HasCount(3, document.Sentences[1].Tokens);
        Assert.AreEqual(2, document.DroppedSentenceCount);
        Assert.AreEqual(3, document.DroppedTokenCount); // "four", "five", "."
        Assert.IsTrue(document.IsTruncated);
        Assert.AreEqual("One two three four five.", document.Sentences[0].Span.Of(document.Text));
    }

    [TestMethod]
    public void DropsSentencesLeftWithoutTokens()
    {
        var options = new DocumentTokenizerOptions { KeepPunctuation = false, LowerCase = false };
        TokenizedDocument document = new DocumentTokenizer(options).Tokenize("Hello!\n...\nWorld.");
        CollectionAssert.AreEqual(
            new[] { "Hello", "World" },
            document.Sentences.SelectMany(s => s.Tokens).Select(t => t.Text).ToArray());
        Assert.AreEqual(0, document.DroppedSentenceCount);
    }

    [TestMethod]
    public void RejectsNegativeLimits()
    {
        Assert.ThrowsExactly<System.ArgumentOutOfRangeException>(
            () => new DocumentTokenizer(new DocumentTokenizerOptions { MaximumSentences = -1 }));
    }
}
