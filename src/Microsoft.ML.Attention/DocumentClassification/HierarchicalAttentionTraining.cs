using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// Trains a <see cref="HierarchicalAttentionModule"/> on documents already mapped to token ids, with length
/// bucketing: documents sorted by sentence count and sentence length form batches of neighbours, and the order of
/// those batches is shuffled every epoch.
/// </summary>
internal static class HierarchicalAttentionTraining
{
    public static void Train(IHost host, IChannel channel, HierarchicalAttentionModule module,
        IReadOnlyList<int[][]> documents, int[] labels, IReadOnlyList<int[][]> validationDocuments, int[] validationLabels,
        TrainingSettings settings, Distillation? distillation = null)
    {
        // Validation rows are numbered after the training rows, so one objective serves both.
        var all = documents.Concat(validationDocuments).ToArray();
        // A label of -1 (a row kept for its teacher's scores alone) is a missing target.
        var targets = labels.Concat(validationLabels).Select(l => l < 0 ? float.NaN : l).ToArray();
        var validation = Enumerable.Range(documents.Count, validationDocuments.Count).ToArray();
        (int Sentences, int Words) Shape(int i) => (all[i].Length, all[i].Length == 0 ? 0 : all[i].Max(s => s.Length));

        var objective = new SupervisedObjective(rows => module.Forward(new DocumentBatch(rows.Select(i => all[i]).ToArray())).Logits,
            targets, isRegression: false, distillation);
        new TrainingLoop(host, channel, settings).Run(module,
            Batches.LengthBucketed(Enumerable.Range(0, documents.Count).ToArray(), Shape, settings.BatchSize), validation,
            objective.BatchLoss, rows => objective.Evaluate(Batches.ByLength(rows, Shape).Chunk(Math.Max(settings.BatchSize, 256))));
    }

    /// <summary>The logits of <paramref name="documents"/> in eval mode, batched by length, in the documents' order.</summary>
    public static float[][] Logits(HierarchicalAttentionModule module, IReadOnlyList<int[][]> documents)
    {
        (int Sentences, int Words) Shape(int i) => (documents[i].Length, documents[i].Length == 0 ? 0 : documents[i].Max(s => s.Length));
        var result = new float[documents.Count][];
        module.eval();
        using var noGrad = no_grad();
        foreach (var rows in Batches.ByLength(Enumerable.Range(0, documents.Count).ToArray(), Shape).Chunk(256))
        {
            using var scope = NewDisposeScope();
            using var batch = new DocumentBatch(rows.Select(i => documents[i]).ToArray());
            var logits = module.Forward(batch).Logits;
            int classes = (int)logits.shape[1];
            var flat = logits.contiguous().data<float>().ToArray();
            for (int k = 0; k < rows.Length; k++)
                result[rows[k]] = flat.AsSpan(k * classes, classes).ToArray();
        }
        return result;
    }
}
