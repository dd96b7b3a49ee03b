using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AttentionBenchmarks;

/// <summary>
/// Synthetic "one sentence decides" corpus for the HAN: each document has 3–8 sentences of 5–12 words; exactly one
/// sentence (at a random position) carries the class-specific keyword pair at random positions inside it, all other
/// words and sentences are drawn uniformly from a shared filler vocabulary. Sentences end with "." and are
/// separated by '\n'. A bag-of-words model can solve it too; what it tests is that the word and sentence attention
/// find the one informative sentence (its attention weight can be checked against <see cref="Document.Id"/>, which
/// encodes the index of the keyword sentence as "syn-{n}-s{index}").
/// </summary>
public static class SyntheticCorpus
{
    public const int ClassCount = 4;

    private static readonly string[][] Keywords =
    {
        new[] { "alpha", "ember" },
        new[] { "bravo", "frost" },
        new[] { "cobalt", "grove" },
        new[] { "delta", "harbor" },
    };

    public static Corpus Generate(int trainCount = 3000, int testCount = 1000, int fillerVocabulary = 200, int seed = 12345)
    {
        var random = new Random(seed);
        string[] filler = Enumerable.Range(0, fillerVocabulary).Select(i => "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var documents = new List<Document>(trainCount + testCount);
        for (int n = 0; n < trainCount + testCount; n++)
        {
            int label = n % ClassCount; // balanced
            int sentences = random.Next(3, 9);
            int keySentence = random.Next(sentences);
            var text = new StringBuilder();
            for (int s = 0; s < sentences; s++)
            {
                int length = random.Next(5, 13);
                var words = new List<string>(length);
                for (int w = 0; w < length; w++)
                {
                    words.Add(filler[random.Next(filler.Length)]);
                }
                if (s == keySentence)
                {
                    int first = random.Next(length);
                    int second = random.Next(length - 1);
                    if (second >= first)
                    {
                        second++;
                    }
                    words[first] = Keywords[label][0];
                    words[second] = Keywords[label][1];
                }
                if (s > 0)
                {
                    text.Append('\n');
                }
                text.Append(string.Join(' ', words)).Append('.');
            }
            documents.Add(new Document("class" + label.ToString(System.Globalization.CultureInfo.InvariantCulture), $"syn-{n}-s{keySentence}", text.ToString()));
        }
        // Shuffle so that train and test both mix the classes in random order.
        for (int i = documents.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (documents[i], documents[j]) = (documents[j], documents[i]);
        }
        return new Corpus("synthetic", documents.Skip(testCount).ToList(), documents.Take(testCount).ToList());
    }
}
