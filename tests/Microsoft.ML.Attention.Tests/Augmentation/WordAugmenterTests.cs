using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Augmentation;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Augmentation;

/// <summary>Each operation of the augmentation on generated text, counted over many draws.</summary>
[TestClass]
public sealed class WordAugmenterTests
{
    private static readonly string Long = string.Join(" ", Enumerable.Range(0, 2000).Select(i => $"w{i}"));

    private static WordAugmenter Augmenter(double mask = 0, double swap = 0, double nGram = 0, int maximumNGram = 5, WordNeighbours? neighbours = null)
        => new(mask, swap, nGram, maximumNGram, "[MASK]", neighbours ?? WordNeighbours.None);

    [TestMethod]
    public void MaskingReplacesWordsAtItsRateAndKeepsTheRest()
    {
        var copies = Augmenter(mask: 0.3).Augment(Long, 5, new Random(1));
        Assert.AreEqual(5, copies.Count);
        string[] original = Long.Split(' ');
        foreach (var copy in copies)
        {
            string[] words = copy.Split(' ');
            Assert.AreEqual(original.Length, words.Length);
            int masked = words.Count(w => w == "[MASK]");
            Assert.IsTrue(words.Select((w, i) => w == "[MASK]" || w == original[i]).All(ok => ok), "a word changed without being masked");
            // 2,000 words at p = 0.3: the standard deviation of the rate is 0.010.
            Assert.AreEqual(0.3, masked / (double)original.Length, 0.04, $"masked {masked} of {original.Length}");
        }
    }

    [TestMethod]
    public void NGramSamplingKeepsOneRunOfOneToTheMaximumWords()
    {
        const string text = "Alpha beta, gamma delta. Epsilon zeta eta theta iota kappa lambda mu!";
        var augmenter = Augmenter(nGram: 1, maximumNGram: 4);
        var copies = augmenter.Augment(text, 400, new Random(2));
        var lengths = new HashSet<int>();
        foreach (var copy in copies)
        {
            StringAssert.Contains(text, copy, "an n-gram is a run of the text, punctuation between its words included");
            int words = augmenter.Words(copy).Count;
            Assert.IsTrue(words is >= 1 and <= 4, $"'{copy}' has {words} words");
            lengths.Add(words);
            Assert.IsTrue(char.IsLetter(copy[0]) && char.IsLetter(copy[^1]), $"'{copy}' begins and ends with a word");
        }
        CollectionAssert.AreEquivalent(new[] { 1, 2, 3, 4 }, lengths.ToArray());
        // Without n-gram sampling, every word is kept.
        foreach (var whole in Augmenter(mask: 0.5).Augment(text, 50, new Random(3)))
            Assert.AreEqual(12, augmenter.Words(whole).Count, whole);
    }

    [TestMethod]
    public void SwapsTakeAWordFromItsNeighboursAndMaskingExcludesThem()
    {
        // Two clusters of words: each word's nearest words are the other words of its cluster.
        string[] words = { "red", "green", "blue", "cat", "dog", "cow" };
        var vectors = new List<double[]>
        {
            new[] { 1.0, 0.1, 0 }, new[] { 1.0, 0, 0.1 }, new[] { 0.9, 0.1, 0.1 },
            new[] { 0, 1.0, 0.1 }, new[] { 0.1, 1.0, 0 }, new[] { 0.1, 0.9, 0.1 },
        };
        var neighbours = WordNeighbours.Nearest(words, vectors, 2);
        CollectionAssert.AreEquivalent(new[] { "green", "blue" }, neighbours.Of("red").ToArray());
        CollectionAssert.AreEquivalent(new[] { "cat", "cow" }, neighbours.Of("dog").ToArray());
        Assert.AreEqual(0, neighbours.Of("horse").Count);

        const string text = "Red dog, blue cow and a horse.";
        var copies = Augmenter(mask: 0.2, swap: 0.8, neighbours: neighbours).Augment(text, 200, new Random(4));
        Assert.IsTrue(copies.Count > 20);
        int swapped = 0, masked = 0;
        foreach (var copy in copies)
        {
            string[] before = text.Split(' '), after = copy.Split(' ');
            Assert.AreEqual(before.Length, after.Length, copy);
            for (int i = 0; i < before.Length; i++)
            {
                string word = before[i].Trim(',', '.').ToLowerInvariant(), now = after[i].Trim(',', '.');
                if (now == "[MASK]")
                    masked++;
                else if (now != before[i].Trim(',', '.'))
                {
                    swapped++;
                    CollectionAssert.Contains(neighbours.Of(word).ToArray(), now, $"'{word}' became '{now}'");
                }
            }
            Assert.AreEqual(text[^1], copy[^1]);
        }
        Assert.IsTrue(swapped > 0 && masked > 0, $"{swapped} swaps, {masked} masks");
    }

    [TestMethod]
    public void NearestNeighboursAreTheLargestCosines()
    {
        var random = new Random(5);
        var words = Enumerable.Range(0, 700).Select(i => $"w{i}").ToList();
        var vectors = words.Select(_ => Enumerable.Range(0, 8).Select(_ => random.NextDouble() - 0.5).ToArray()).ToList();
        // More words than one chunk of the similarity matrix.
        var neighbours = WordNeighbours.Nearest(words, vectors, 3);
        static double Cosine(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum() / Math.Sqrt(a.Sum(x => x * x) * b.Sum(x => x * x));
        foreach (int w in new[] { 0, 511, 512, 699 })
        {
            var expected = Enumerable.Range(0, words.Count).Where(j => j != w)
                .OrderByDescending(j => Cosine(vectors[w], vectors[j])).Take(3).Select(j => words[j]).ToArray();
            CollectionAssert.AreEqual(expected, neighbours.Of(words[w]).ToArray(), words[w]);
        }
    }

    [TestMethod]
    public void TextWithoutWordsHasNoCopies()
    {
        var augmenter = Augmenter(mask: 0.5, nGram: 0.5);
        Assert.AreEqual(0, augmenter.Augment("", 10, new Random(6)).Count);
        Assert.AreEqual(0, augmenter.Augment(" ... !? ", 10, new Random(6)).Count);
        // One word: masked, or kept (a duplicate of the text, dropped).
        CollectionAssert.AreEqual(new[] { "[MASK]" }, augmenter.Augment("word", 30, new Random(6)));
    }
}
