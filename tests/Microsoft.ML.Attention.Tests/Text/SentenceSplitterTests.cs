using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class SentenceSplitterTests
{
    private static string[] Sentences(string text) =>
        SentenceSplitter.Split(text).Select(span => span.Of(text)).ToArray();

    [TestMethod]
    public void SplitsOnSentenceEndingPunctuation()
    {
        CollectionAssert.AreEqual(
            new[] { "Hello world.", "How are you?", "I am fine!" },
            Sentences("Hello world. How are you? I am fine!"));
    }

    [TestMethod]
    public void DoesNotSplitAfterAbbreviationsInAnyCase()
    {
        CollectionAssert.AreEqual(
            new[] { "I like fruit, e.g. apples, i.e. red ones.", "Mr. Smith and MRS. Jones agree vs. Dr. Who." },
            Sentences("I like fruit, e.g. apples, i.e. red ones. Mr. Smith and MRS. Jones agree vs. Dr. Who."));
        CollectionAssert.AreEqual(new[] { "He moved to the U.S. in May." }, Sentences("He moved to the U.S. in May."));
    }

    [TestMethod]
    public void DoesNotSplitDecimalsOrAddresses()
    {
        CollectionAssert.AreEqual(
            new[] { "Pi is 3.14 roughly.", "See example.com now." },
            Sentences("Pi is 3.14 roughly. See example.com now."));
    }

    [TestMethod]
    public void DoesNotSplitAfterInitials()
    {
        CollectionAssert.AreEqual(
            new[] { "J. Smith met J.R.R. Tolkien.", "They talked." },
            Sentences("J. Smith met J.R.R. Tolkien. They talked."));
    }

    [TestMethod]
    public void KeepsClosingQuotesAndBracketsWithTheSentence()
    {
        CollectionAssert.AreEqual(
            new[] { "He said \"Stop.\"", "Then he left (quickly.)", "Fine." },
            Sentences("He said \"Stop.\" Then he left (quickly.) Fine."));
        CollectionAssert.AreEqual(new[] { "“Really?”", "Yes." }, Sentences("“Really?” Yes."));
    }

    [TestMethod]
    public void TreatsPunctuationRunsAsOneEnd()
    {
        CollectionAssert.AreEqual(
            new[] { "Really?!", "Wait...", "What?" },
            Sentences("Really?! Wait... What?"));
    }

    [TestMethod]
    public void EllipsisFollowedByLowerCaseContinuesTheSentence()
    {
        CollectionAssert.AreEqual(
            new[] { "Well... maybe not.", "OK… sure." },
            Sentences("Well... maybe not. OK… sure."));
    }

    [TestMethod]
    public void SplitsOnEveryLineBreak()
    {
        CollectionAssert.AreEqual(
            new[] { "First line", "Second line", "Third", "Fourth" },
            Sentences("First line\nSecond line\r\n\r\n  Third\rFourth\n"));
    }

    [TestMethod]
    public void SplitsOnHtmlLineBreaksAndDropsTheTags()
    {
        CollectionAssert.AreEqual(
            new[] { "Great product", "Works well", "Cheap", "Fast" },
            Sentences("Great product<br>Works well<BR/>Cheap<br />Fast<Br  >"));
        CollectionAssert.AreEqual(new[] { "The <brand> is good" }, Sentences("The <brand> is good"));
        CollectionAssert.AreEqual(new[] { "Nice.", "Done" }, Sentences("Nice.<br/>Done"));
    }

    [TestMethod]
    public void SplitsChineseWithoutSpaces()
    {
        CollectionAssert.AreEqual(new[] { "我爱北京。", "你好吗？", "很好！" }, Sentences("我爱北京。你好吗？很好！"));
        CollectionAssert.AreEqual(new[] { "他说：「好。」", "走吧" }, Sentences("他说：「好。」走吧"));
    }

    [TestMethod]
    public void SpansAreTrimmedPositionsInTheOriginalText()
    {
        const string text = "  Hi there.   Bye.  ";
        var spans = SentenceSplitter.Split(text);
        Assert.HasCount(2, spans);
        Assert.AreEqual(new TextSpan(2, 9), spans[0]);
        Assert.AreEqual(new TextSpan(14, 4), spans[1]);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("   \r\n\t ")]
    [DataRow("<br><br/>")]
    public void BlankTextHasNoSentences(string? text)
    {
        Assert.IsEmpty(SentenceSplitter.Split(text));
    }
}
