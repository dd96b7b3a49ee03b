using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.ML.Attention.Text;

namespace Microsoft.ML.Attention.Augmentation;

/// <summary>
/// The text operations of Tang et al. (2019) on one text: each word is masked with probability p_mask, else swapped for
/// one of its neighbours with probability p_swap (Tang et al. swap within a part of speech; without a tagger, the
/// neighbours are the nearest words by the teacher's word vectors); then, with probability p_ng, only an n-gram of n
/// words (n uniform in 1 to the maximum) is kept. Words are edited in place, so the text between them (spaces,
/// punctuation, sentence ends) stays as it was.
/// </summary>
internal sealed class WordAugmenter
{
    private readonly WordTokenizer _tokenizer = new(lowerCase: true, keepPunctuation: false);
    private readonly double _mask, _swap, _nGram;
    private readonly int _maximumNGram;
    private readonly string _maskToken;
    private readonly WordNeighbours _neighbours;

    public WordAugmenter(double mask, double swap, double nGram, int maximumNGram, string maskToken, WordNeighbours neighbours)
    {
        _mask = mask;
        _swap = swap;
        _nGram = nGram;
        _maximumNGram = maximumNGram;
        _maskToken = maskToken;
        _neighbours = neighbours;
    }

    /// <summary>
    /// Up to <paramref name="attempts"/> augmented versions of <paramref name="text"/>, each drawn once; duplicates and
    /// copies equal to the text itself are dropped (Tang et al.), so a short text may give fewer.
    /// </summary>
    public List<string> Augment(string text, int attempts, Random random)
    {
        var result = new List<string>();
        var words = Words(text);
        if (words.Count == 0)
            return result;
        var seen = new HashSet<string>(StringComparer.Ordinal) { text };
        for (int a = 0; a < attempts; a++)
        {
            string copy = Once(text, words, random);
            if (seen.Add(copy))
                result.Add(copy);
        }
        return result;
    }

    /// <summary>The word tokens of a text (runs of letters and digits; punctuation and symbols are left as they are).</summary>
    public List<Token> Words(string text)
    {
        var words = new List<Token>();
        foreach (var token in _tokenizer.Tokenize(text))
            if (char.IsLetterOrDigit(text, token.Span.Start))
                words.Add(token);
        return words;
    }

    private string Once(string text, List<Token> words, Random random)
    {
        var replaced = new string?[words.Count];
        for (int i = 0; i < words.Count; i++)
        {
            // One draw per word decides between masking and swapping, so the two never apply to the same word.
            double x = random.NextDouble();
            if (x < _mask)
                replaced[i] = _maskToken;
            else if (x < _mask + _swap && _neighbours.Of(words[i].Text) is { Count: > 0 } near)
                replaced[i] = near[random.Next(near.Count)];
        }
        int first = 0, last = words.Count - 1;
        if (_nGram > 0 && random.NextDouble() < _nGram)
        {
            int n = random.Next(1, _maximumNGram + 1);
            if (n < words.Count)
            {
                first = random.Next(words.Count - n + 1);
                last = first + n - 1;
            }
        }
        bool whole = first == 0 && last == words.Count - 1;
        var builder = new StringBuilder(text.Length);
        int position = whole ? 0 : words[first].Span.Start;
        for (int i = first; i <= last; i++)
        {
            if (replaced[i] is not { } word)
                continue;
            builder.Append(text, position, words[i].Span.Start - position).Append(word);
            position = words[i].Span.End;
        }
        int end = whole ? text.Length : words[last].Span.End;
        builder.Append(text, position, end - position);
        return builder.ToString();
    }
}
