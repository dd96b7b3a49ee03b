using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pooling;

/// <summary>
/// Learns the pooling module's parameters by training it with a temporary linear head on the label
/// (cross-entropy for classes, squared error for regression); the head is dropped afterwards.
/// </summary>
internal static class PoolingTrainer
{
    public static void Train(IHost host, SequencePoolingModule module, PoolingArchitecture architecture,
        IReadOnlyList<PoolingRow> rows, float[] targets, LabelColumn label, TrainingSettings settings, double validationFraction)
    {
        using var channel = host.Start("Training attention pooling");
        var outputs = label.IsRegression ? 1 : label.Classes;
        var model = new ModuleWithHead<SequencePoolingModule>(module, architecture.PooledSize, outputs);
        try
        {
            Run(host, channel, model, architecture, rows, targets, label, settings, validationFraction);
        }
        finally
        {
            model.DisposeHead();
        }
    }

    private static void Run(IHost host, IChannel channel, ModuleWithHead<SequencePoolingModule> model, PoolingArchitecture architecture,
        IReadOnlyList<PoolingRow> rows, float[] targets, LabelColumn label, TrainingSettings settings, double validationFraction)
    {

        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(settings.Seed).Shuffle(order);
        int validationCount = (int)Math.Floor(rows.Count * validationFraction);
        if (validationCount >= rows.Count)
            validationCount = 0;
        var validation = order.Take(validationCount).ToArray();
        var train = order.Skip(validationCount).ToArray();
        channel.Info($"{train.Length} training rows, {validation.Length} validation rows, " +
            (label.IsRegression ? "regression" : $"{label.Classes} classes") + ".");

        Tensor Predict(IReadOnlyList<int> batch)
        {
            var input = new SequenceBatch(batch.Select(i => rows[i]).ToArray(), architecture.VectorSize, architecture.QuerySize);
            return model.Head(model.Body.Pool(input.Values, input.Mask, input.Query).Pooled);
        }

        Tensor LossOf(Tensor prediction, IReadOnlyList<int> batch)
        {
            var target = batch.Select(i => targets[i]).ToArray();
            return label.IsRegression
                ? nn.functional.mse_loss(prediction.squeeze(-1), torch.tensor(target))
                : nn.functional.cross_entropy(prediction, torch.tensor(target.Select(t => (long)t).ToArray()));
        }

        Evaluation Evaluate(IReadOnlyList<int> evaluationRows)
        {
            double lossSum = 0;
            long correct = 0;
            for (int start = 0; start < evaluationRows.Count; start += settings.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = evaluationRows.Skip(start).Take(settings.BatchSize).ToArray();
                var prediction = Predict(batch);
                lossSum += LossOf(prediction, batch).item<float>() * batch.Length;
                if (!label.IsRegression)
                {
                    var predicted = prediction.argmax(-1).data<long>().ToArray();
                    correct += predicted.Where((p, k) => p == (long)targets[batch[k]]).Count();
                }
            }
            return new Evaluation(lossSum / evaluationRows.Count, label.IsRegression ? double.NaN : (double)correct / evaluationRows.Count);
        }

        new TrainingLoop(host, channel, settings).Run(model, TrainingLoop.ShuffledBatches(train, settings.BatchSize), validation,
            batch => LossOf(Predict(batch), batch), Evaluate);
    }
}
