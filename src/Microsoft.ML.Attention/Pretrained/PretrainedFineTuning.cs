using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Fine-tunes a <see cref="PretrainedTextModel"/> on a label with a temporary linear head that is dropped afterwards
/// (cross-entropy for classes, squared error for regression), through the shared <see cref="TrainingLoop"/>: the
/// optimizer, warm-up and decay, clipping, early stopping with the best weights and progress are the loop's. The head
/// reads the pooled vector before normalization, whose scale does not shrink the head's gradients.
/// </summary>
internal static class PretrainedFineTuning
{
    // The new head learns at this multiple of the encoder's small rate, so it gives the encoder useful gradients from the
    // first steps (measured in docs/benchmarks.md, "Measurements behind the code").
    public const double HeadLearningRateScale = 20;

    // A training batch goes forward and backward in parts of at most this many padded tokens, gradients summed: the same
    // step. Attention dropout keeps [rows, heads, T, T] weights and masks for backward (libtorch's fused kernel drops
    // inside it only without gradients), so whole batches of long texts cost memory, and time too (figures in
    // docs/benchmarks.md, "Measurements behind the code"). Batches of 16 texts of up to 64 tokens stay whole.
    public const int TrainingTokenBudget = 1024;

    public static void Supervised(IHost host, IChannel channel, PretrainedTextModel encoder, IReadOnlyList<PretrainedTokens> texts,
        float[] targets, LabelColumn label, IReadOnlyList<int> train, IReadOnlyList<int> validation, TrainingSettings settings,
        Distillation? distillation = null)
        => HeadTraining.Supervised(host, channel, encoder, encoder.Config.HiddenSize, label, targets, (body, rows) =>
        {
            using var scope = torch.NewDisposeScope();
            var members = rows.Select(i => texts[i]).ToArray();
            using var batch = new Infrastructure.TokenBatch(members.SelectMany(m => m.Windows).ToArray());
            var (states, _) = body.Forward(batch.Ids, batch.Mask);
            return scope.MoveToOuter(PretrainedEncoder.TextVectors(body.Pool(states, batch.Mask), members, normalize: false));
        }, i => texts[i].Windows.Sum(w => w.Length), train, validation, settings, evaluationChunk: 64, distillation, TrainingTokenBudget);

    /// <summary>Stops gradients of the whole encoder (only attention pooling and the head learn) or of its input embeddings.</summary>
    public static void Freeze(PretrainedTextModel model, bool encoder, bool embeddings)
    {
        var frozen = encoder ? model.Encoder.parameters() : embeddings ? model.EmbeddingParameters() : Enumerable.Empty<TorchSharp.Modules.Parameter>();
        foreach (var parameter in frozen)
            parameter.requires_grad = false;
    }
}
