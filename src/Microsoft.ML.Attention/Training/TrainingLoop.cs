using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>What one pass over the validation rows measured; Accuracy is NaN for regression.</summary>
internal readonly record struct Evaluation(double Loss, double Accuracy);

/// <summary>
/// Mini-batch training shared by the capabilities: batches in a new order each epoch (from the seed),
/// Adam, AdamW or SGD with momentum, an optional linear warm-up and decay of the learning rate, gradient clipping, per-epoch validation over all validation rows, early
/// stopping with the best weights restored, cancellation through the host, and progress on the channel
/// and to the optional callback.
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
    /// Trains <paramref name="module"/>. <paramref name="batches"/> gives an epoch's batches of training rows;
    /// <paramref name="batchLoss"/> returns the mean loss of a batch (module in training mode);
    /// <paramref name="evaluate"/> measures a list of validation rows (module in eval mode, gradients off).
    /// With no validation rows every epoch runs and the last weights stay. <paramref name="parts"/>, when given, cuts a
    /// batch into parts that go forward and backward one at a time, their gradients summed with weights rows/batch rows:
    /// the step is the batch's (its loss must be a mean over rows), while only one part's activations are alive.
    /// </summary>
    public void Run(nn.Module module, Func<Random, IReadOnlyList<int[]>> batches, IReadOnlyList<int> validationRows,
        Func<IReadOnlyList<int>, Tensor> batchLoss, Func<IReadOnlyList<int>, Evaluation> evaluate,
        Func<int[], IReadOnlyList<int[]>>? parts = null)
    {
        if (_settings.MapsLargeActivations)
            Infrastructure.GlibcMalloc.BeforeTraining();
        var parameters = module.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = Optimizer.Create(_settings.Optimizer, ParameterGroups(parameters, (module as ITemporaryHead)?.HeadParameters().Where(p => p.requires_grad).ToArray()));
        var random = new Random(_settings.Seed);
        var totalClock = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        long stepsDone = 0;
        using var best = new BestWeights();
        double bestLoss = double.PositiveInfinity;
        int epochsWithoutImprovement = 0, bestEpoch = 0, lastEpoch = 0;

        try
        {
            for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var plan = batches(random);
                module.train();
                double lossSum = 0;
                int done = 0, rows = 0;
                var schedule = new LearningRateSchedule(_settings.LearningRate, _settings.WarmupFraction, (long)plan.Count * _settings.Epochs);
                foreach (var batch in plan)
                {
                    _host.CheckAlive();
                    using (var scope = torch.NewDisposeScope())
                    {
                        if (schedule.Varies)
                            foreach (var group in optimizer.Groups)
                                group.LearningRate = group.PeakLearningRate * schedule.Factor(stepsDone);
                        optimizer.ZeroGradients();
                        var loss = Backward(batch, parts?.Invoke(batch) ?? new[] { batch }, batchLoss);
                        // Checked before the step: a NaN or infinite loss would put NaN into every weight it reaches.
                        if (!double.IsFinite(loss))
                            throw Diverged($"The training loss is {NonFinite(loss)} at epoch {epoch}, batch {done + 1} of {plan.Count}");
                        lossSum += loss;
                        if (_settings.GradientClipNorm > 0)
                            nn.utils.clip_grad_norm_(parameters, _settings.GradientClipNorm);
                        optimizer.Step();
                    }
                    done++;
                    stepsDone++;
                    rows += batch.Length;
                    var left = TimeLeft(totalClock.Elapsed, stepsDone, (long)plan.Count * _settings.Epochs - stepsDone);
                    var speed = rows / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    _settings.Progress?.Invoke(new TrainingProgress(epoch, _settings.Epochs, done, plan.Count, lossSum / done, speed) { TimeLeft = left });
                    // Long epochs (fine-tuning a pretrained encoder takes minutes) also say how far they are in the log.
                    if (totalClock.Elapsed - lastLog >= ProgressLogInterval && done < plan.Count)
                    {
                        lastLog = totalClock.Elapsed;
                        _channel.Info($"Epoch {epoch}/{_settings.Epochs}: batch {done}/{plan.Count}, training loss {lossSum / done:F4}, {speed:F0} rows/s, about {Describe(left)} left.");
                    }
                }
                lastEpoch = epoch;
                var trainLoss = lossSum / Math.Max(1, done);
                var rate = rows / Math.Max(1e-9, clock.Elapsed.TotalSeconds);

                if (validationRows.Count == 0)
                {
                    _channel.Info($"Epoch {epoch}/{_settings.Epochs}: training loss {trainLoss:F4}, {rate:F0} rows/s");
                    continue;
                }

                module.eval();
                Evaluation validation;
                using (torch.no_grad())
                    validation = evaluate(validationRows);
                // Inference copies of the weights (packed for oneDNN) go stale with the next step: not kept through the epoch.
                Core.InferenceLinear.Release(module);
                var accuracy = double.IsNaN(validation.Accuracy) ? "" : $", validation accuracy {validation.Accuracy:P2}";
                _settings.Progress?.Invoke(new TrainingProgress(epoch, _settings.Epochs, done, plan.Count, trainLoss, rate,
                    validation.Loss, double.IsNaN(validation.Accuracy) ? null : validation.Accuracy)
                {
                    TimeLeft = TimeLeft(totalClock.Elapsed, stepsDone, (long)plan.Count * _settings.Epochs - stepsDone),
                });
                _channel.Info($"Epoch {epoch}/{_settings.Epochs}: training loss {trainLoss:F4}, validation loss {validation.Loss:F4}{accuracy}, {rate:F0} rows/s");
                if (!double.IsFinite(validation.Loss))
                    throw Diverged($"The validation loss is {NonFinite(validation.Loss)} after epoch {epoch}");

                if (validation.Loss < bestLoss)
                {
                    bestLoss = validation.Loss;
                    epochsWithoutImprovement = 0;
                    bestEpoch = epoch;
                    // After the last epoch the best weights are the module's own: nothing to keep.
                    if (epoch < _settings.Epochs)
                        best.Save(module);
                }
                else if (++epochsWithoutImprovement >= _settings.EarlyStoppingPatience)
                {
                    _channel.Info($"Stopping early: no better validation loss for {epochsWithoutImprovement} epochs.");
                    break;
                }
            }

            // The last step's loss was finite, but its gradients may not have been.
            if (!AllFinite(parameters))
                throw Diverged($"A weight is NaN or infinite after epoch {lastEpoch}");
            if (bestEpoch > 0)
            {
                if (bestEpoch != lastEpoch)
                    best.Restore(module);
                _channel.Info($"Kept the weights of epoch {bestEpoch}, the best validation loss ({bestLoss:F4}).");
            }
        }
        finally
        {
            module.eval();
            // The gradients would otherwise live as long as the model: as large as its weights.
            module.zero_grad();
            if (_settings.MapsLargeActivations)
                Infrastructure.GlibcMalloc.AfterTraining();
            else
                Infrastructure.GlibcMalloc.TrimAfterTraining();
        }
    }

    private static string NonFinite(double loss) => double.IsNaN(loss) ? "NaN" : "infinite";

    private static bool AllFinite(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        using var scope = torch.NewDisposeScope();
        return parameters.All(p => p.isfinite().all().item<bool>());
    }

    // The fit stops rather than return a model that scores NaN; the message names what this run could have caused it with.
    private Exception Diverged(string what)
        => _host.Except($"{what}: training diverged, and the model would score NaN. Likely cause: {string.Join("; or ", _settings.DivergenceCauses.DefaultIfEmpty("the learning rate"))}.");

    // The batch's mean loss, its gradients accumulated part by part; each part's graph is freed before the next one.
    private static double Backward(int[] batch, IReadOnlyList<int[]> parts, Func<IReadOnlyList<int>, Tensor> batchLoss)
    {
        if (parts.Count == 1 && parts[0].Length == batch.Length)
        {
            var loss = batchLoss(parts[0]);
            loss.backward();
            return loss.item<float>();
        }
        double sum = 0;
        foreach (var part in parts)
        {
            using var scope = torch.NewDisposeScope();
            using var share = ((double)part.Length / batch.Length).ToScalar();
            var loss = batchLoss(part).mul(share);
            loss.backward();
            sum += loss.item<float>();
        }
        return sum;
    }

    // Parameter groups: the temporary head is a group of its own when it learns at another rate (by native handle:
    // TorchSharp may hand out another wrapper object for the same parameter). AdamW decays only parameters of two or
    // more dimensions, as pretrained Transformers are fine-tuned (Hugging Face's Trainer, BERT): decaying a bias or a
    // LayerNorm scale pulls it toward 0, which is no prior at all for a scale that starts at 1.
    private List<ParameterGroup> ParameterGroups(TorchSharp.Modules.Parameter[] parameters, TorchSharp.Modules.Parameter[]? head)
    {
        var separateHead = head is { Length: > 0 } && _settings.HeadLearningRateScale != 1;
        var headHandles = separateHead ? head!.Select(p => p.Handle).ToHashSet() : new HashSet<IntPtr>();
        var decays = _settings.Optimizer == OptimizerKind.AdamW && _settings.WeightDecay != 0;
        var groups = new List<ParameterGroup>();
        void Add(IEnumerable<TorchSharp.Modules.Parameter> members, double rate)
        {
            var all = members.ToArray();
            if (!decays)
            {
                groups.Add(new ParameterGroup(all, rate, 0));
                return;
            }
            groups.Add(new ParameterGroup(all.Where(p => p.dim() >= 2).ToArray(), rate, _settings.WeightDecay));
            groups.Add(new ParameterGroup(all.Where(p => p.dim() < 2).ToArray(), rate, 0));
        }
        Add(parameters.Where(p => !headHandles.Contains(p.Handle)), _settings.LearningRate);
        if (separateHead)
            Add(head!, _settings.LearningRate * _settings.HeadLearningRateScale);
        return groups;
    }

    // At most every this often, a long epoch logs its progress.
    private static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(30);

    // The rest of the planned steps at the mean time per step so far (validation passes not counted; early stopping may end sooner).
    private static TimeSpan TimeLeft(TimeSpan elapsed, long done, long left)
        => TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(1, done) * Math.Max(0, left));

    private static string Describe(TimeSpan time)
        => time.TotalMinutes >= 1 ? $"{time.TotalMinutes:F0} min" : $"{time.TotalSeconds:F0} s";
}
