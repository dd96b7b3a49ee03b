using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Supervised training of a component whose output is a vector: a temporary linear head on that vector, trained with
/// the body through <see cref="TrainingLoop"/> on the label's objective, in length-bucketed batches, and dropped
/// afterwards (the body stays in the transformer) unless the component keeps it as its classifier.
/// </summary>
internal static class HeadTraining
{
    /// <summary>
    /// Trains <paramref name="body"/> with a head of <paramref name="width"/> inputs, then disposes the head, or returns
    /// it when <paramref name="keepHead"/> (null otherwise).
    /// </summary>
    /// <param name="host">Cancellation.</param>
    /// <param name="channel">The training log.</param>
    /// <param name="body">The component's module; it stays trained.</param>
    /// <param name="width">Size of the body's vectors.</param>
    /// <param name="label">The label column (classes or regression).</param>
    /// <param name="targets">Each row's target.</param>
    /// <param name="vectors">The body's vectors [rows, width] of some training rows (the head is applied to them).</param>
    /// <param name="length">A row's length, for bucketing rows of similar length together.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="validation">The validation rows (may be empty).</param>
    /// <param name="settings">The loop's settings.</param>
    /// <param name="evaluationChunk">Rows per forward pass when measuring the validation rows, at least the batch size.</param>
    /// <param name="distillation">The teacher's logits of every row and the soft loss's settings; null to learn from the label alone.</param>
    /// <param name="tokenBudget">When given, a training batch goes forward and backward in parts of at most this many
    /// padded tokens (rows × the longest row's <paramref name="length"/>, at least one row), gradients summed: the same step with
    /// a part's activations alive instead of the batch's.</param>
    /// <param name="keepHead">Return the trained head (the caller owns it) instead of disposing it.</param>
    public static TorchSharp.Modules.Linear? Supervised<TBody>(IHost host, IChannel channel, TBody body, int width, LabelColumn label, float[] targets,
        Func<TBody, IReadOnlyList<int>, Tensor> vectors, Func<int, int> length, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        TrainingSettings settings, int evaluationChunk, Distillation? distillation = null, int? tokenBudget = null, bool keepHead = false) where TBody : nn.Module
    {
        var model = FitGenerator.Draw(() => new ModuleWithHead<TBody>(body, width, label.IsRegression ? 1 : label.Classes));
        bool kept = false;
        try
        {
            var objective = new SupervisedObjective(rows => model.Head(vectors(model.Body, rows)), targets, label.IsRegression, distillation);
            new TrainingLoop(host, channel, settings).Run(model, Batches.LengthBucketed(train, length, settings.BatchSize), validation,
                objective.BatchLoss, rows => objective.Evaluate(Batches.ByLength(rows, length).Chunk(Math.Max(settings.BatchSize, evaluationChunk))),
                tokenBudget is int budget ? batch => Batches.WithinTokens(batch, length, budget) : null);
            kept = keepHead;
            return keepHead ? model.TrainedHead : null;
        }
        finally
        {
            if (!kept)
                model.DisposeHead();
        }
    }
}
