using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.TextFeaturization;

/// <summary>
/// Trains a <see cref="SelfAttentionEncoder"/> with a temporary head that is dropped afterwards: a linear layer on the
/// pooled vector for a label (cross-entropy for classes, squared error for regression), or, without a label,
/// masked-token prediction on the token states (15% of tokens by default; of those 80% become the mask token,
/// 10% a random word, 10% stay, as in BERT).
/// </summary>
internal static class SelfAttentionFeaturizerTraining
{
    /// <summary>Pooled vectors [B, E] of texts, averaging the vectors of a text's windows.</summary>
    public static Tensor TextVectors(SelfAttentionEncoder encoder, IReadOnlyList<TokenWindows> texts)
    {
        using var scope = torch.NewDisposeScope();
        var windows = texts.SelectMany(t => t.Windows).ToArray();
        using var batch = new TokenBatch(windows);
        var (states, _) = encoder.Encode(batch.Ids, batch.Mask);
        return WindowEncoding.Average(encoder.Pool(states, batch.Mask), texts.Select(t => t.Windows.Length).ToArray()).MoveToOuterDisposeScope();
    }

    public static void Supervised(IHost host, IChannel channel, SelfAttentionEncoder encoder, IReadOnlyList<TokenWindows> texts,
        float[] targets, LabelColumn label, IReadOnlyList<int> train, IReadOnlyList<int> validation, TrainingSettings settings,
        Distillation? distillation = null)
        => HeadTraining.Supervised(host, channel, encoder, encoder.Architecture.PooledSize, label, targets,
            (body, rows) => TextVectors(body, rows.Select(i => texts[i]).ToArray()), Length(texts), train, validation, settings, evaluationChunk: 128,
            distillation);

    public static void MaskedTokens(IHost host, IChannel channel, SelfAttentionEncoder encoder, IReadOnlyList<TokenWindows> texts,
        IReadOnlyList<int> train, IReadOnlyList<int> validation, TrainingSettings settings, double maskRate)
    {
        var architecture = encoder.Architecture;
        var model = FitGenerator.Draw(() => new ModuleWithHead<SelfAttentionEncoder>(encoder, architecture.Width, architecture.VocabularySize));
        var random = new Random(settings.Seed);
        try
        {
            Tensor Loss(IReadOnlyList<int> rows, Random masking, out long correct)
            {
                var windows = rows.SelectMany(i => texts[i].Windows).ToArray();
                var (masked, positions, originals) = Mask(windows, architecture, maskRate, masking);
                using var batch = new TokenBatch(masked);
                var (states, _) = model.Body.Encode(batch.Ids, batch.Mask);
                var flat = states.reshape(-1, architecture.Width);
                using var index = torch.tensor(positions.Select(p => (long)(p.Window * batch.Length + p.Token)).ToArray());
                var logits = model.Head(flat.index_select(0, index));
                var target = torch.tensor(originals.Select(o => (long)o).ToArray());
                correct = logits.argmax(-1).eq(target).sum().item<long>();
                return nn.functional.cross_entropy(logits, target);
            }
            Evaluation Evaluate(IReadOnlyList<int> rows)
            {
                // The same masks every epoch, so validation losses are comparable.
                var masking = new Random(settings.Seed + 1);
                double lossSum = 0, correctSum = 0;
                int chunks = 0;
                foreach (var chunk in Batches.ByLength(rows, Length(texts)).Chunk(Math.Max(settings.BatchSize, 128)))
                {
                    using var scope = torch.NewDisposeScope();
                    lossSum += Loss(chunk, masking, out var correct).item<float>();
                    correctSum += correct;
                    chunks++;
                }
                return new Evaluation(lossSum / Math.Max(1, chunks), double.NaN);
            }

            if (validation.Count > 0)
            {
                model.eval();
                using (torch.no_grad())
                    channel.Info($"Masked-token loss on held-out text before training: {Evaluate(validation).Loss:F4}.");
            }
            new TrainingLoop(host, channel, settings).Run(model, Batches.LengthBucketed(train, Length(texts), settings.BatchSize), validation,
                rows => Loss(rows, random, out _), Evaluate);
            if (validation.Count > 0)
            {
                using (torch.no_grad())
                    channel.Info($"Masked-token loss on held-out text after training: {Evaluate(validation).Loss:F4}.");
            }
        }
        finally
        {
            model.DisposeHead();
        }
    }

    /// <summary>Hides tokens for masked-token training; returns the inputs, the hidden positions and their original ids.</summary>
    private static (int[][] Inputs, List<(int Window, int Token)> Positions, List<int> Originals) Mask(
        int[][] windows, FeaturizerArchitecture architecture, double rate, Random random)
    {
        int firstWord = Vocabulary.FirstWordId, words = architecture.ClassificationTokenId; // ids [FirstWordId, words) are words; then classification and mask
        var inputs = windows.Select(w => (int[])w.Clone()).ToArray();
        var positions = new List<(int, int)>();
        var originals = new List<int>();
        for (int w = 0; w < inputs.Length; w++)
        {
            for (int t = 1; t < inputs[w].Length; t++)
            {
                if (random.NextDouble() >= rate)
                    continue;
                positions.Add((w, t));
                originals.Add(inputs[w][t]);
                var roll = random.NextDouble();
                if (roll < 0.8)
                    inputs[w][t] = architecture.MaskTokenId;
                else if (roll < 0.9 && words > firstWord)
                    inputs[w][t] = random.Next(firstWord, words);
            }
        }
        if (positions.Count == 0)
        {
            // Always predict something, so every batch has a loss: hide one token of the longest window.
            var w = Enumerable.Range(0, inputs.Length).OrderByDescending(i => inputs[i].Length).First();
            int t = inputs[w].Length > 1 ? 1 : 0;
            positions.Add((w, t));
            originals.Add(inputs[w][t]);
            inputs[w][t] = architecture.MaskTokenId;
        }
        return (inputs, positions, originals);
    }

    /// <summary>A text's length for bucketing: its tokens over all windows.</summary>
    private static Func<int, int> Length(IReadOnlyList<TokenWindows> texts) => i => texts[i].Windows.Sum(w => w.Length);
}
