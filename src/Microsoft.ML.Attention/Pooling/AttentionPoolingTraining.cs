using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>
/// Learns the attention pooling's parameters by training it with a temporary linear head on the label; the head is
/// dropped afterwards. Rows are batched in a new random order each epoch (their lengths are not sorted: sequences are short).
/// </summary>
internal static class AttentionPoolingTraining
{
    public static void Train(IHost host, IChannel channel, SequencePoolingModule module, PoolingArchitecture architecture,
        LabeledRows<PoolingRow> data, LabelColumn label, TrainingSettings settings, double validationFraction,
        Distillation? distillation = null)
    {
        var (train, validation) = TrainingRun.Split(data.Rows.Count, validationFraction, settings.Seed);
        channel.Info($"{train.Length} training rows, {validation.Length} validation rows, {TrainingRun.Describe(label)}.");
        var model = FitGenerator.Draw(() => new ModuleWithHead<SequencePoolingModule>(module, architecture.PooledSize, label.IsRegression ? 1 : label.Classes));
        try
        {
            Tensor Predict(IReadOnlyList<int> batch)
            {
                var input = new SequenceBatch(batch.Select(i => data.Rows[i]).ToArray(), architecture.VectorSize, architecture.QuerySize);
                return model.Head(model.Body.Pool(input.Values, input.Mask, input.Query).Pooled);
            }
            var objective = new SupervisedObjective(Predict, data.Targets, label.IsRegression, distillation);
            new TrainingLoop(host, channel, settings).Run(model, Batches.Shuffled(train, settings.BatchSize), validation,
                objective.BatchLoss, rows => objective.Evaluate(rows.Chunk(settings.BatchSize)));
        }
        finally
        {
            model.DisposeHead();
        }
    }
}
