using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The pretrained encoder's <c>Fit</c>: reads the model, settles which settings come from the model and which from the
/// options (and logs both), reads the training texts once, then fine-tunes with a label or keeps the encoder frozen
/// without one. The encoder estimator and the text classifier share it; the classifier keeps the fine-tuning's head.
/// </summary>
internal static class PretrainedEncoderFit
{
    // normalizeOption: the Normalize option (null follows the model); false for a classifier, whose head reads the
    // vector before normalization. keepHead: keep the trained head (a classifier), and train it even on a frozen encoder.
    public static FineTunedEncoder Fit(IHost host, IChannel channel, PretrainedModelOptions o, string textColumnName, bool? normalizeOption, bool keepHead,
        IDataView input, DataViewSchema.Column textColumn, LabelColumn? label, int seed, TeacherScores? teacher = null)
    {
        var files = PretrainedModelFiles.Read(o.ModelPath, o.VocabularyPath);
        var config = files.Config;
        var maxTokens = o.MaximumTokens ?? files.DefaultMaximumTokens;
        if (maxTokens > config.MaxPositions)
            throw host.ExceptUserArg(nameof(o.MaximumTokens), $"is {maxTokens}, but the pretrained model reads at most {config.MaxPositions} tokens (max_position_embeddings)");
        // Attention pooling without a label is refused by the estimator's Validate; a model's own pooling is never Attention.
        var pooling = o.Pooling ?? files.Pooling ?? PretrainedEncoderEstimator.Defaults.Pooling;
        // sentence-transformers' Normalize module follows its pooling: another pooling chosen by the user is not normalized.
        var normalize = normalizeOption ?? (files.Pooling == pooling && files.Normalize);
        Describe(channel, o, normalizeOption, files, maxTokens, pooling, normalize);

        var encoder = PretrainedEncoder.Create(files, pooling, normalize, maxTokens, o.LongText);
        try
        {
            var read = TrainingRun.Read<PretrainedTokens>(host, channel, input, new[] { textColumn }, label, cursor =>
            {
                var readText = TextColumn.Reader(cursor, textColumn);
                return () => encoder.Tokenize(readText());
            }, "training", teacher);
            var (texts, targets) = (read.Rows, read.Targets);
            TrainingRun.ReportLongTexts(channel, texts.Select(t => t.DroppedTokens).ToArray(), maxTokens, o.LongText);
            if (label == null)
            {
                channel.Info($"No label: the vectors are the frozen pretrained model's ({texts.Count} texts read, nothing trained).");
                return new FineTunedEncoder(encoder);
            }
            TrainingRun.CheckTargets(host, texts.Count, targets, label, textColumnName);
            if (o.FreezeEncoder && pooling != PoolingMode.Attention && !keepHead)
            {
                channel.Warning($"FreezeEncoder with {pooling} pooling leaves nothing to learn: the vectors are the frozen model's. " +
                    "Use Attention pooling to learn only the pooling, or fine-tune the encoder.");
                return new FineTunedEncoder(encoder);
            }
            PretrainedFineTuning.Freeze(encoder.Model, o.FreezeEncoder, o.FreezeEmbeddings);
            var (train, validation) = TrainingRun.Split(texts.Count, o.ValidationFraction, seed);
            var settings = o.ToSettings(seed) with
            {
                HeadLearningRateScale = PretrainedFineTuning.HeadLearningRateScale,
                MapsLargeActivations = true,
            };
            channel.Info($"Fine-tuning on {train.Length} training texts, {validation.Length} validation texts, {TrainingRun.Describe(label)}: " +
                $"{(o.FreezeEncoder ? "encoder frozen, attention pooling learned" : o.FreezeEmbeddings ? "embeddings frozen" : "every weight learned")}, " +
                $"{settings.Optimizer} learning rate {settings.LearningRate:G3}, warm-up {settings.WarmupFraction:P0}, up to {settings.Epochs} epochs of {settings.BatchSize} texts a batch.");
            var head = PretrainedFineTuning.Supervised(host, channel, encoder.Model, texts, targets, label, train, validation, settings,
                o.ToDistillation(read.Teacher), keepHead);
            return new FineTunedEncoder(encoder, head, validation.Select(i => texts[i]).ToArray(),
                validation.Select(i => float.IsNaN(targets[i]) ? -1 : (int)targets[i]).ToArray());
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private static void Describe(IChannel channel, PretrainedModelOptions o, bool? normalizeOption, PretrainedModelFiles files, int maxTokens, PoolingMode pooling, bool normalize)
    {
        var c = files.Config;
        var tokensFrom = o.MaximumTokens is not null ? "the MaximumTokens option"
            : files.MaxSequenceLength is not null ? "the model's max_seq_length"
            : maxTokens < c.MaxPositions ? $"the default for a model that does not say; it has {c.MaxPositions} positions" : "the model's max_position_embeddings";
        channel.Info($"Pretrained {c.Summary()}, from {files.Source}: {c.VocabularySize} word pieces ({files.Tokenizer.Describe()}); " +
            $"at most {maxTokens} tokens per window ({tokensFrom}).");
        var poolingFrom = o.Pooling is not null ? "the Pooling option"
            : files.Pooling is not null ? "the model's pooling configuration" : "the Pooling option's default; the model does not say how it pools";
        var normalizeFrom = normalizeOption is not null ? "the Normalize option" : normalize ? "the model's Normalize module" : null;
        channel.Info($"Pooling: {pooling} ({poolingFrom}){(normalize ? $", then L2 normalization ({normalizeFrom})" : ", not normalized")}.");
    }
}

/// <summary>
/// The result of <see cref="PretrainedEncoderFit.Fit"/>: the encoder and, when kept, the trained head with the
/// validation rows it never learned from (texts and class indexes, -1 without a label), for temperature scaling.
/// </summary>
internal sealed record FineTunedEncoder(PretrainedEncoder Encoder, TorchSharp.Modules.Linear? Head = null,
    PretrainedTokens[]? ValidationTexts = null, int[]? ValidationLabels = null);
