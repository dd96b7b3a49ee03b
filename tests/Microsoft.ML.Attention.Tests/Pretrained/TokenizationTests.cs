using System.Linq;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Tokenizers;
using Microsoft.VisualStudio.TestTools.UnitTesting;

using WordPiece = Microsoft.ML.Attention.Pretrained.WordPieceTokenizer;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// Known-answer tests of the WordPiece ids against <see cref="ReferenceBertTokenizer"/> (Hugging Face's algorithm,
/// written independently in the test) on all-MiniLM-L6-v2's vocabulary, and what Microsoft.ML.Tokenizers 2.0.1's
/// BertTokenizer does on its own (dotnet/machinelearning #7724 and #7725), which the library corrects around.
/// </summary>
[TestClass]
public sealed class TokenizationTests
{
    private static readonly ReferenceBertTokenizer Reference = new(MiniLmFiles.VocabularyPath, lowerCase: true);

    private static BertTokenizer Stock() => BertTokenizer.Create(MiniLmFiles.VocabularyPath, new BertOptions { LowerCaseBeforeTokenization = true });

    [TestMethod]
    public void IdsEqualHuggingFaceReferenceOnVariedTexts()
    {
        var text = WordPiece.Create(MiniLmFiles.VocabularyPath, lowerCase: true);
        foreach (var sample in TestTexts.Varied(150))
            CollectionAssert.AreEqual(Reference.Ids(sample), text.Ids(sample), $"ids of \"{sample}\"");
    }

    [TestMethod]
    public void KnownAnswersForSeparatorsSymbolsAndScripts()
    {
        var text = WordPiece.Create(MiniLmFiles.VocabularyPath, lowerCase: true);
        int[] Ids(params string[] entries) => entries.Select(Reference.Id).ToArray();
        CollectionAssert.AreEqual(Ids("tab", "only", "line", "two"), text.Ids("tab\tonly\nline\r\ntwo"));
        CollectionAssert.AreEqual(Ids("$", "5", "+", "$", "3", "=", "<", ">", "|", "~"), text.Ids("$5 + $3 = < > | ~"));
        CollectionAssert.AreEqual(Ids("25", "##°", "##c", "[UNK]", "fun"), text.Ids("25°C 😀 fun"));
        CollectionAssert.AreEqual(Ids("cafe", "naive", "中", "文"), text.Ids("Café NAÏVE 中文"));
        Assert.AreEqual(0, text.Ids(null).Length);
        Assert.AreEqual(0, text.Ids("").Length);
        Assert.AreEqual(0, text.Ids(" \t\n ").Length);
    }

    [TestMethod]
    public void StockBertTokenizerMergesWordsSeparatedOnlyByControlCharacters()
    {
        // dotnet/machinelearning #7724: present in 2.0.1 and 3.0.0 (the version matrix runs this on both). If this fails, the upstream fix arrived; WordPieceTokenizer.Prepare can be simplified.
        var ids = Stock().EncodeToIds("tab\tonly", addSpecialTokens: false);
        CollectionAssert.AreNotEqual(Reference.Ids("tab\tonly"), ids.ToList());
        CollectionAssert.Contains(ids.ToList(), Reference.Id("##on"));
    }

    [TestMethod]
    public void StockBertTokenizerDropsSymbols()
    {
        // dotnet/machinelearning #7725: present in 2.0.1 and 3.0.0 for $ + = < > | ~ ^ `, ° and emoji.
        var tokenizer = Stock();
        foreach (var symbol in new[] { "$", "+", "=", "<", ">", "|", "~", "^", "`" })
            CollectionAssert.AreEqual(Reference.Ids("a b"), tokenizer.EncodeToIds($"a {symbol} b", addSpecialTokens: false).ToList(), $"'{symbol}' was kept");
        CollectionAssert.AreEqual(Reference.Ids("25 c"), tokenizer.EncodeToIds("25°C", addSpecialTokens: false).ToList());
        CollectionAssert.AreEqual(Reference.Ids("a b"), tokenizer.EncodeToIds("a 😀 b", addSpecialTokens: false).ToList());
    }

    [TestMethod]
    public void CasedVocabularyKeepsCaseAndAccents()
    {
        var vocabulary = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cased-vocab-{System.Environment.ProcessId}.txt");
        System.IO.File.WriteAllLines(vocabulary, new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "hello", "Café", "cafe", "!", "##s" });
        try
        {
            var text = WordPiece.Create(vocabulary, lowerCase: false);
            var reference = new ReferenceBertTokenizer(vocabulary, lowerCase: false);
            foreach (var sample in new[] { "Hello hello! Café cafe", "Hellos HELLO" })
                CollectionAssert.AreEqual(reference.Ids(sample), text.Ids(sample), sample);
            CollectionAssert.AreEqual(new[] { 5, 6, 9, 7, 8 }, text.Ids("Hello hello! Café cafe"));
        }
        finally
        {
            System.IO.File.Delete(vocabulary);
        }
    }
}
