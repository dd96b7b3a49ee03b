using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace AttentionBenchmarks;

/// <summary>
/// A fastText-style baseline written out in plain C# (no TorchSharp, no ML.NET): the document vector is the mean of
/// the embeddings of its words and hashed word bigrams, a linear layer and softmax classify it, and training is
/// fastText's: one example at a time, SGD with a learning rate decaying linearly to zero, input embeddings uniform in
/// ±1/dim, output weights zero. Settings as the reference figure in ENGINEERING.md: 25 epochs, word bigrams, dim 100,
/// learning rate 0.5. Single-threaded (fastText itself runs several Hogwild threads).
/// </summary>
public sealed partial class FastTextStyleSystem : IBenchmarkSystem
{
    private const int Dimension = 100;
    private const int Epochs = 25;
    private const double LearningRate = 0.5;
    private const int BigramBuckets = 1_000_000;

    public string Name => "fasttext-style";

    public BenchmarkResult Run(Corpus corpus, TextWriter log)
    {
        var labels = corpus.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        int[][] train = null!;
        float[] input = null!, output = null!;
        double trainSeconds = Measure.Seconds(() =>
        {
            train = corpus.Train.Select(d => Features(d.Text, vocabulary, grow: true)).ToArray();
            (input, output) = Train(train, corpus.Train.Select(d => labels[d.Label]).ToArray(), vocabulary.Count, labels.Count);
        });
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Name}] trained in {trainSeconds:F1} s, {vocabulary.Count} words"));

        var predicted = new List<string>(corpus.Test.Count);
        var hidden = new float[Dimension];
        var scores = new float[labels.Count];
        double scoreSeconds = Measure.Seconds(() =>
        {
            foreach (var document in corpus.Test)
            {
                Forward(Features(document.Text, vocabulary, grow: false), input, output, hidden, scores);
                predicted.Add(corpus.Labels[Array.IndexOf(scores, scores.Max())]);
            }
        });
        var (accuracy, macro) = Measure.Accuracy(corpus.Test.Select(d => d.Label).ToList(), predicted);
        return new BenchmarkResult(Name, corpus.Name, corpus.Train.Count, corpus.Test.Count, accuracy, macro, trainSeconds,
            scoreSeconds, null, Measure.PeakMemoryBytes(),
            $"mean of word + hashed bigram embeddings (dim {Dimension}, {BigramBuckets:N0} buckets) → softmax; SGD lr {LearningRate} decaying to 0, {Epochs} epochs, 1 thread",
            Epochs);
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    // Word ids (new words get ids while training) followed by hashed bigram ids above the vocabulary's range.
    private static int[] Features(string text, Dictionary<string, int> vocabulary, bool grow)
    {
        var words = WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToArray();
        var ids = new List<int>(words.Length * 2);
        foreach (var word in words)
        {
            if (!vocabulary.TryGetValue(word, out int id) && grow)
                vocabulary[word] = id = vocabulary.Count;
            if (vocabulary.ContainsKey(word))
                ids.Add(id);
        }
        for (int i = 1; i < words.Length; i++)
            ids.Add(-1 - (int)(Hash(words[i - 1] + " " + words[i]) % BigramBuckets)); // resolved after the vocabulary is final
        return ids.ToArray();
    }

    private static uint Hash(string text)
    {
        uint hash = 2166136261; // FNV-1a, as fastText
        foreach (char c in text)
            hash = (hash ^ c) * 16777619;
        return hash;
    }

    private static int Row(int id, int words) => id >= 0 ? id : words + (-1 - id);

    private static (float[] Input, float[] Output) Train(int[][] documents, int[] targets, int words, int classes)
    {
        var random = new Random(1);
        var input = new float[(long)(words + BigramBuckets) * Dimension];
        for (long i = 0; i < input.LongLength; i++)
            input[i] = (float)((random.NextDouble() * 2 - 1) / Dimension);
        var output = new float[classes * Dimension];
        var hidden = new float[Dimension];
        var scores = new float[classes];
        var gradient = new float[Dimension];
        long steps = (long)documents.Length * Epochs, step = 0;
        var order = Enumerable.Range(0, documents.Length).ToArray();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (int d in order)
            {
                float rate = (float)(LearningRate * (1.0 - (double)step++ / steps));
                var features = documents[d];
                if (features.Length == 0)
                    continue;
                Forward(features, input, output, hidden, scores, words);
                Array.Clear(gradient);
                for (int c = 0; c < classes; c++)
                {
                    float alpha = rate * ((c == targets[d] ? 1f : 0f) - scores[c]);
                    for (int k = 0; k < Dimension; k++)
                    {
                        gradient[k] += alpha * output[c * Dimension + k];
                        output[c * Dimension + k] += alpha * hidden[k];
                    }
                }
                float share = 1f / features.Length;
                foreach (int id in features)
                {
                    long row = (long)Row(id, words) * Dimension;
                    for (int k = 0; k < Dimension; k++)
                        input[row + k] += gradient[k] * share;
                }
            }
        }
        return (input, output);
    }

    private static void Forward(int[] features, float[] input, float[] output, float[] hidden, float[] scores, int words = -1)
    {
        words = words >= 0 ? words : (int)(input.LongLength / Dimension) - BigramBuckets;
        Array.Clear(hidden);
        foreach (int id in features)
        {
            long row = (long)Row(id, words) * Dimension;
            for (int k = 0; k < Dimension; k++)
                hidden[k] += input[row + k];
        }
        for (int k = 0; k < Dimension && features.Length > 0; k++)
            hidden[k] /= features.Length;
        float max = float.NegativeInfinity, sum = 0;
        for (int c = 0; c < scores.Length; c++)
        {
            float s = 0;
            for (int k = 0; k < Dimension; k++)
                s += output[c * Dimension + k] * hidden[k];
            scores[c] = s;
            max = Math.Max(max, s);
        }
        for (int c = 0; c < scores.Length; c++)
            sum += scores[c] = MathF.Exp(scores[c] - max);
        for (int c = 0; c < scores.Length; c++)
            scores[c] /= sum;
    }
}
