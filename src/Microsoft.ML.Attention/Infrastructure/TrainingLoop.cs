using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>What one pass over the validation rows measured; Accuracy is NaN for regression.</summary>
internal readonly record struct Evaluation(double Loss, double Accuracy);

/// <summary>
/// Mini-batch training with Adam, shared by the capabilities: shuffled batches (a new order each epoch,
/// from the seed), gradient clipping, per-epoch validation over all validation rows, early stopping with
/// the best weights restored, cancellation through the host, and progress on the channel.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly IHost _host;
    private readonly IChannel _channel;
    private readonly TrainingSettings _settings;

    public TrainingLoop(IHost host, IChannel channel, TrainingSettings settings)
    {
        _host = host;
        _channel = channel;
        _settings = settings;
    }

    /// <summary>
    /// Trains <paramref name="module"/>. <paramref name="batchLoss"/> returns the mean loss of a batch of
    /// training rows (module in training mode); <paramref name="evaluate"/> measures a list of validation rows
    /// (module in eval mode, gradients off). With no validation rows every epoch runs and the last weights stay.
    /// </summary>
    public void Run(nn.Module module, IReadOnlyList<int> trainRows, IReadOnlyList<int> validationRows,
        Func<IReadOnlyList<int>, Tensor> batchLoss, Func<IReadOnlyList<int>, Evaluation> evaluate)
    {
        var parameters = module.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = optim.Adam(parameters, lr: _settings.LearningRate);
        var random = new Random(_settings.Seed);
        var order = trainRows.ToArray();
        Dictionary<string, Tensor>? best = null;
        double bestLoss = double.PositiveInfinity;
        int epochsWithoutImprovement = 0;

        try
        {
            for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                Shuffle(order, random);
                module.train();
                double lossSum = 0;
                int batches = 0;
                for (int start = 0; start < order.Length; start += _settings.BatchSize)
                {
                    _host.CheckAlive();
                    using var scope = torch.NewDisposeScope();
                    var batch = new ArraySegment<int>(order, start, Math.Min(_settings.BatchSize, order.Length - start));
                    optimizer.zero_grad();
                    var loss = batchLoss(batch);
                    loss.backward();
                    if (_settings.GradientClipNorm > 0)
                        nn.utils.clip_grad_norm_(parameters, _settings.GradientClipNorm);
                    optimizer.step();
                    lossSum += loss.item<float>();
                    batches++;
                }
                var trainLoss = lossSum / Math.Max(1, batches);
                var rate = order.Length / Math.Max(1e-9, clock.Elapsed.TotalSeconds);

                if (validationRows.Count == 0)
                {
                    _channel.Info($"Epoch {epoch}/{_settings.Epochs}: training loss {trainLoss:F4}, {rate:F0} rows/s");
                    continue;
                }

                module.eval();
                Evaluation validation;
                using (torch.no_grad())
                    validation = evaluate(validationRows);
                var accuracy = double.IsNaN(validation.Accuracy) ? "" : $", validation accuracy {validation.Accuracy:P2}";
                _channel.Info($"Epoch {epoch}/{_settings.Epochs}: training loss {trainLoss:F4}, validation loss {validation.Loss:F4}{accuracy}, {rate:F0} rows/s");

                if (validation.Loss < bestLoss)
                {
                    bestLoss = validation.Loss;
                    epochsWithoutImprovement = 0;
                    Dispose(best);
                    best = Snapshot(module);
                }
                else if (++epochsWithoutImprovement >= _settings.EarlyStoppingPatience)
                {
                    _channel.Info($"Stopping early: no better validation loss for {epochsWithoutImprovement} epochs.");
                    break;
                }
            }

            if (best != null)
            {
                using (torch.no_grad())
                    foreach (var (name, tensor) in module.state_dict())
                        tensor.copy_(best[name]);
                _channel.Info($"Kept the weights of the epoch with the best validation loss ({bestLoss:F4}).");
            }
        }
        finally
        {
            Dispose(best);
            module.eval();
        }
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module module)
        => module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    private static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        if (tensors == null)
            return;
        foreach (var tensor in tensors.Values)
            tensor.Dispose();
    }

    private static void Shuffle(int[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
