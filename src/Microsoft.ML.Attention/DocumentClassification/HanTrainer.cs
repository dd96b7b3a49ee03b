using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// Trains a <see cref="HierarchicalAttentionModule"/> on documents already mapped to token ids, with
/// length bucketing: documents sorted by sentence count and sentence length form batches of neighbours,
/// and the order of those batches is shuffled every epoch.
/// </summary>
internal static class HanTrainer
{
    public static void Train(IHost host, IChannel channel, HierarchicalAttentionModule module,
        IReadOnlyList<int[][]> documents, int[] labels, IReadOnlyList<int[][]> validationDocuments, int[] validationLabels,
        TrainingSettings settings)
    {
        // Validation rows are numbered after the training rows, so one loss function serves both.
        var all = documents.Concat(validationDocuments).ToArray();
        var targets = labels.Concat(validationLabels).ToArray();
        var validation = Enumerable.Range(documents.Count, validationDocuments.Count).ToArray();
        var buckets = LengthBuckets(documents, settings.BatchSize);

        Tensor Logits(IReadOnlyList<int> rows)
        {
            var batch = new DocumentBatch(rows.Select(i => all[i]).ToArray());
            return module.Forward(batch).Logits;
        }

        Tensor Loss(Tensor logits, IReadOnlyList<int> rows)
            => nn.functional.cross_entropy(logits, torch.tensor(rows.Select(i => (long)targets[i]).ToArray()));

        Evaluation Evaluate(IReadOnlyList<int> rows)
        {
            double lossSum = 0;
            long correct = 0;
            foreach (var chunk in LengthSorted(rows, all).Chunk(Math.Max(settings.BatchSize, 256)))
            {
                using var scope = torch.NewDisposeScope();
                var logits = Logits(chunk);
                lossSum += Loss(logits, chunk).item<float>() * chunk.Length;
                var predicted = logits.argmax(-1).data<long>().ToArray();
                correct += predicted.Where((p, k) => p == targets[chunk[k]]).Count();
            }
            return new Evaluation(lossSum / rows.Count, (double)correct / rows.Count);
        }

        new TrainingLoop(host, channel, settings).Run(module, random =>
        {
            var order = buckets.ToArray();
            random.Shuffle(order);
            return order;
        }, validation, rows => Loss(Logits(rows), rows), Evaluate);
    }

    /// <summary>Batches of documents with similar shapes, so little of each padded block is padding.</summary>
    public static int[][] LengthBuckets(IReadOnlyList<int[][]> documents, int batchSize)
        => LengthSorted(Enumerable.Range(0, documents.Count).ToArray(), documents).Chunk(batchSize).ToArray();

    private static int[] LengthSorted(IReadOnlyList<int> rows, IReadOnlyList<int[][]> documents)
        => rows.OrderBy(i => documents[i].Length)
            .ThenBy(i => documents[i].Length == 0 ? 0 : documents[i].Max(s => s.Length))
            .ThenBy(i => i)
            .ToArray();
}
