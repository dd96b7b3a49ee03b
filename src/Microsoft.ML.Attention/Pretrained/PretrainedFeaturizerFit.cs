using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Options = Microsoft.ML.Attention.SelfAttentionFeaturizingEstimator.Options;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// The featurizer's <c>Fit</c> with <see cref="Options.PretrainedModelPath"/>: reads the model, settles which settings
/// come from the model and which from the options (and logs both), reads the training texts once, then fine-tunes
/// with a label or keeps the encoder frozen without one.
/// </summary>
internal static class PretrainedFeaturizerFit
{
    // Options that describe an encoder trained from scratch; with a pretrained model they do not apply.
    private static readonly (string Name, Func<Options, object?> Value)[] FromScratchOptions =
    {
        (nameof(Options.Width), o => o.Width),
        (nameof(Options.NumberOfLayers), o => o.NumberOfLayers),
        (nameof(Options.NumberOfHeads), o => o.NumberOfHeads),
        (nameof(Options.FeedForwardSize), o => o.FeedForwardSize),
        (nameof(Options.Positions), o => o.Positions),
        (nameof(Options.Variant), o => o.Variant),
        (nameof(Options.LocalHalfWidth), o => o.LocalHalfWidth),
        (nameof(Options.OutputSize), o => o.OutputSize),
        (nameof(Options.Dropout), o => o.Dropout),
        (nameof(Options.MaskRate), o => o.MaskRate),
        (nameof(Options.LowerCase), o => o.LowerCase),
        (nameof(Options.KeepPunctuation), o => o.KeepPunctuation),
        (nameof(Options.MinimumWordCount), o => o.MinimumWordCount),
        (nameof(Options.MaximumVocabularySize), o => o.MaximumVocabularySize),
    };

    public static PretrainedEncoder Fit(IHost host, IChannel channel, Options o, IDataView input, DataViewSchema.Column textColumn, LabelColumn? label, int seed,
        TeacherScores? teacher = null)
    {
        var files = PretrainedModelFiles.Read(o.PretrainedModelPath!, o.PretrainedVocabularyPath);
        var config = files.Config;
        var maxTokens = o.MaximumTokensSet ?? files.DefaultMaximumTokens;
        if (maxTokens > config.MaxPositions)
            throw host.ExceptUserArg(nameof(o.MaximumTokens), $"is {maxTokens}, but the pretrained model reads at most {config.MaxPositions} tokens (max_position_embeddings)");
        // Attention pooling without a label is refused by the estimator's Validate; a model's own pooling is never Attention.
        var pooling = o.PoolingSet ?? files.Pooling ?? PoolingMode.Mean;
        // sentence-transformers' Normalize module follows its pooling: another pooling chosen by the user is not normalized.
        var normalize = files.Pooling == pooling && files.Normalize;
        Describe(channel, o, files, maxTokens, pooling, normalize);

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
                return encoder;
            }
            TrainingRun.CheckTargets(host, texts.Count, targets, label, o.InputColumnName);
            if (o.FreezePretrainedEncoder && pooling != PoolingMode.Attention)
            {
                channel.Warning($"FreezePretrainedEncoder with {pooling} pooling leaves nothing to learn: the vectors are the frozen model's. " +
                    "Use Attention pooling to learn only the pooling, or fine-tune the encoder.");
                return encoder;
            }
            PretrainedFineTuning.Freeze(encoder.Model, o.FreezePretrainedEncoder, o.FreezePretrainedVectors);
            var (train, validation) = TrainingRun.Split(texts.Count, o.ValidationFraction, seed);
            var settings = o.ToSettings(seed) with
            {
                HeadLearningRateScale = PretrainedFineTuning.HeadLearningRateScale,
                MapsLargeActivations = true,
            };
            channel.Info($"Fine-tuning on {train.Length} training texts, {validation.Length} validation texts, {TrainingRun.Describe(label)}: " +
                $"{(o.FreezePretrainedEncoder ? "encoder frozen, attention pooling learned" : o.FreezePretrainedVectors ? "embeddings frozen" : "every weight learned")}, " +
                $"{settings.Optimizer} learning rate {settings.LearningRate:G3}, warm-up {settings.WarmupFraction:P0}, up to {settings.Epochs} epochs of {settings.BatchSize} texts a batch.");
            PretrainedFineTuning.Supervised(host, channel, encoder.Model, texts, targets, label, train, validation, settings,
                o.ToDistillation(read.Teacher));
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private static void Describe(IChannel channel, Options o, PretrainedModelFiles files, int maxTokens, PoolingMode pooling, bool normalize)
    {
        var c = files.Config;
        var tokensFrom = o.MaximumTokensSet is not null ? "the MaximumTokens option"
            : files.MaxSequenceLength is not null ? "the model's max_seq_length"
            : maxTokens < c.MaxPositions ? $"the default for a model that does not say; it has {c.MaxPositions} positions" : "the model's max_position_embeddings";
        channel.Info($"Pretrained BERT encoder from {files.Source}: width {c.HiddenSize}, {c.NumberOfLayers} layers, {c.NumberOfHeads} heads, " +
            $"feed-forward {c.IntermediateSize}, {c.VocabularySize} word pieces ({(files.LowerCase ? "lower-cased" : "cased")}), dropout {c.HiddenDropout:G3}; " +
            $"at most {maxTokens} tokens per window ({tokensFrom}). These come from the model instead of the options " +
            string.Join(", ", FromScratchOptions.Select(f => f.Name)) + ".");
        var defaults = new Options();
        var ignored = FromScratchOptions.Where(f => !Equals(f.Value(o), f.Value(defaults))).Select(f => f.Name).ToList();
        if (ignored.Count > 0)
            channel.Warning($"The options {string.Join(", ", ignored)} were set but do not apply to a pretrained encoder; they are ignored.");
        var poolingFrom = o.PoolingSet is not null ? "the Pooling option"
            : files.Pooling is not null ? "the model's pooling configuration" : "the Pooling option's default; the model does not say how it pools";
        channel.Info($"Pooling: {pooling} ({poolingFrom}){(normalize ? ", then L2 normalization (the model's Normalize module)" : ", not normalized")}.");
    }
}
