using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

[TestClass]
public sealed class WordTokenizerTests
{
    private static string[] Texts(string text, bool lowerCase = true, bool keepPunctuation = true) =>
        new WordTokenizer(lowerCase, keepPunctuation).Tokenize(text).Select(token => token.Text).ToArray();

    private static string[] Raw(string text) =>
        new WordTokenizer().Tokenize(text).Select(token => token.Span.Of(text)).ToArray();

    [TestMethod]
    public void KeepsContractionsHyphenatedWordsAndNumbersWhole()
    {
        CollectionAssert.AreEqual(
            new[] { "don't", "stop", "state-of-the-art", "ai", ",", "ok", "?", "3.14", "and", "1,000", "!" },
            Texts("Don't stop state-of-the-art AI, OK? 3.14 and 1,000!"));
    }

    [TestMethod]
    public void PunctuationIsSingleCharacterTokensThatCanBeDropped()
    {
        CollectionAssert.AreEqual(new[] { "wow", "!", "!", "(", "yes", ")", "-" }, Texts("Wow!! (yes) -"));
        CollectionAssert.AreEqual(new[] { "wow", "yes" }, Texts("Wow!! (yes) -", keepPunctuation: false));
        CollectionAssert.AreEqual(new[] { "students", "'" }, Texts("students'"));
    }

    [TestMethod]
    public void LowerCasingIsOptional()
    {
        CollectionAssert.AreEqual(new[] { "Hello", "WORLD", "İstanbul" }, Texts("Hello WORLD İstanbul", lowerCase: false));
        CollectionAssert.AreEqual(new[] { "hello", "world" }, Texts("Hello WORLD"));
    }

    [TestMethod]
    public void SpansMapBackToTheOriginalText()
    {
        const string text = "  Don't PANIC: café\u0301 costs $3.50 — 我爱你 👍🏽 𠀀x. ";
        var tokenizer = new WordTokenizer(lowerCase: true);
        var tokens = tokenizer.Tokenize(text);
        Assert.IsGreaterThan(10, tokens.Count);
        foreach (Token token in tokens)
            Assert.AreEqual(token.Span.Of(text).ToLowerInvariant(), token.Text);
        int previousEnd = 0;
        foreach (Token token in tokens)
        {
            Assert.IsGreaterThanOrEqualTo(previousEnd, token.Span.Start);
            previousEnd = token.Span.End;
        }
    }

    [TestMethod]
    public void TokenizesASpanWithDocumentOffsets()
    {
        const string text = "First one. Second one.";
        var tokens = new WordTokenizer().Tokenize(text, new TextSpan(11, 11));
        CollectionAssert.AreEqual(new[] { "second", "one", "." }, tokens.Select(t => t.Text).ToArray());
        Assert.AreEqual(new TextSpan(11, 6), tokens[0].Span);
        Assert.AreEqual(new TextSpan(21, 1), tokens[2].Span);
    }

    [TestMethod]
    public void EachCjkCharacterIsAToken()
    {
        CollectionAssert.AreEqual(new[] { "我", "爱", "北", "京", "。" }, Texts("我爱北京。"));
        CollectionAssert.AreEqual(new[] { "ai", "模", "型", "很", "好", "." }, Texts("AI模型很好."));
        CollectionAssert.AreEqual(new[] { "カ", "タ", "と", "ひ", "안", "녕" }, Texts("カタとひ안녕"));
    }

    [TestMethod]
    public void SurrogatePairsAreNeverSplit()
    {
        // U+20000 is a CJK Extension B ideograph, stored as a surrogate pair.
        CollectionAssert.AreEqual(new[] { "i", "😀", "𠀀", "𠀀", "x", "👍🏽" }, Raw("I 😀𠀀𠀀x 👍🏽").Select(s => s.ToLowerInvariant()).ToArray());
        var tokens = new WordTokenizer().Tokenize("a😀b");
        Assert.AreEqual(new TextSpan(1, 2), tokens[1].Span);
        Assert.AreEqual("b", tokens[2].Text);
    }

    [TestMethod]
    public void CombiningMarksStayInTheWord()
    {
        CollectionAssert.AreEqual(new[] { "cafe\u0301", "naïve", "हिन्दी" }, Texts("cafe\u0301 naïve हिन्दी"));
    }

    [TestMethod]
    public void WhitespaceOnlyGivesNoTokens()
    {
        Assert.IsEmpty(new WordTokenizer().Tokenize(" \t\u00A0\u200B "));
    }
}
