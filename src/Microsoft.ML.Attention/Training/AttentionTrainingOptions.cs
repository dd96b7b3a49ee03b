using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// The training settings the attention pooling, the hierarchical attention network and the self-attention featurizer
/// share. Each component's <c>Options</c> derives from this class and sets its own defaults (see its documentation page).
/// </summary>
public abstract class AttentionTrainingOptions
{
    // Only this library's Options classes derive from it; the defaults are theirs.
    private protected AttentionTrainingOptions(int numberOfEpochs, int batchSize, double learningRate,
        int earlyStoppingPatience, double gradientClipNorm)
    {
        _defaults = new TrainingDefaults(numberOfEpochs, batchSize, learningRate, earlyStoppingPatience, gradientClipNorm);
    }

    // Settings the user did not set follow Defaults, which a component may make depend on other options (the
    // featurizer's defaults for fine-tuning a pretrained encoder differ from those for training one from scratch).
    private readonly TrainingDefaults _defaults;
    private int? _numberOfEpochs, _batchSize, _earlyStoppingPatience;
    private double? _learningRate, _gradientClipNorm, _weightDecay, _warmupFraction;
    private OptimizerKind? _optimizer;

    /// <summary>The defaults of the settings the user has not set.</summary>
    private protected virtual TrainingDefaults Defaults => _defaults;

    /// <summary>Passes over the training rows, at most; early stopping ends sooner when the validation loss stops improving.</summary>
    /// <remarks>At least 1. Typical range 3–50.</remarks>
    public int NumberOfEpochs { get => _numberOfEpochs ?? Defaults.NumberOfEpochs; set => _numberOfEpochs = value; }

    /// <summary>Rows per training step.</summary>
    /// <remarks>At least 1. Typical range 16–256; larger is faster per row on a CPU.</remarks>
    public int BatchSize { get => _batchSize ?? Defaults.BatchSize; set => _batchSize = value; }

    /// <summary>Peak learning rate of the optimizer (reached after the warm-up, see <see cref="WarmupFraction"/>).</summary>
    /// <remarks>Greater than 0. Sweep on a log scale: about 1e-4–1e-2 with Adam, 1e-2–1e-1 with SGD, 1e-5–1e-4 when fine-tuning a pretrained encoder.</remarks>
    public double LearningRate { get => _learningRate ?? Defaults.LearningRate; set => _learningRate = value; }

    /// <summary>Adam, AdamW (Adam with decoupled weight decay) or SGD with momentum.</summary>
    /// <remarks>Default <see cref="OptimizerKind.Adam"/>; <see cref="OptimizerKind.AdamW"/> when fine-tuning a pretrained encoder.</remarks>
    public OptimizerKind Optimizer { get => _optimizer ?? Defaults.Optimizer; set => _optimizer = value; }

    /// <summary>Decoupled weight decay of <see cref="OptimizerKind.AdamW"/> (Adam and SGD do not use it).</summary>
    /// <remarks>Default 0.01. At least 0; typical range 0–0.1. Applies to weight matrices and embeddings only: biases and
    /// normalization scales (parameters of one dimension) are not decayed, as pretrained Transformers are fine-tuned.</remarks>
    public double WeightDecay { get => _weightDecay ?? Defaults.WeightDecay; set => _weightDecay = value; }

    /// <summary>
    /// Share of the training steps over which the learning rate rises linearly from 0 to <see cref="LearningRate"/>;
    /// after it, the rate falls linearly to 0 at the last step of the last epoch. 0 keeps the rate constant.
    /// </summary>
    /// <remarks>Default 0 (constant rate); 0.1 when fine-tuning a pretrained encoder. Allowed [0, 1).</remarks>
    public double WarmupFraction { get => _warmupFraction ?? Defaults.WarmupFraction; set => _warmupFraction = value; }

    /// <summary>Gradients are rescaled to at most this norm; 0 turns clipping off.</summary>
    /// <remarks>0 (off) or positive. Typical range 1–10.</remarks>
    public double GradientClipNorm { get => _gradientClipNorm ?? Defaults.GradientClipNorm; set => _gradientClipNorm = value; }

    /// <summary>Share of the training rows held out to pick the best epoch and stop early; 0 trains every epoch on all rows.</summary>
    /// <remarks>Default 0.1. Allowed [0, 1); typical range 0.05–0.2.</remarks>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>
    /// Epochs without a better validation loss before training stops; the best epoch's weights are kept (in a temporary
    /// file until training ends, so they add nothing to its memory).
    /// </summary>
    /// <remarks>At least 1. Typical range 1–5.</remarks>
    public int EarlyStoppingPatience { get => _earlyStoppingPatience ?? Defaults.EarlyStoppingPatience; set => _earlyStoppingPatience = value; }

    /// <summary>Threads libtorch may use for this Fit; null keeps the calling thread's count (libtorch's default: all cores).</summary>
    /// <remarks>Default null. Range 1 to the number of cores; applies to the thread that calls <c>Fit</c> while it runs and is given back when it ends: other threads and later work keep their count.</remarks>
    public int? NumberOfThreads { get; set; }

    /// <summary>Seed for initialisation, shuffling, sampling and dropout; null takes one from the <see cref="MLContext"/>.</summary>
    /// <remarks>Default null (taken from the <see cref="MLContext"/> seed).</remarks>
    public int? Seed { get; set; }

    /// <summary>
    /// Memory bound, in MiB, of the outputs the fitted transformer keeps for the input it last read in full, so a
    /// trainer that reads them many times (SDCA without <c>AppendCacheCheckpoint</c>) runs the model once; 0 turns it off.
    /// </summary>
    /// <remarks>Default 256. At least 0. A runtime setting of the transformer (<c>OutputCacheMegabytes</c>), not saved with the model.</remarks>
    public int OutputCacheMegabytes { get; set; } = 256;

    /// <summary>Called after every batch with the training progress, e.g. for a progress bar.</summary>
    /// <remarks>Default null (no callback). Runs on the training thread; keep it fast.</remarks>
    public Action<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Optional column of a teacher's scores for knowledge distillation (Hinton et al. 2015): the component learns from
    /// the teacher's softened scores as well as from the label. Beside a key label: a vector of Single with one value per
    /// class (slot i for key value i + 1, the order of ML.NET's <c>Score</c> for the same keys), read as probabilities when every row's values lie in [0, 1] and sum to 1 (ML.NET's multiclass <c>Score</c>
    /// column; their logarithms are the logits), otherwise as logits. Beside a Boolean label: one Single, read as the
    /// probability of true when every value lies in [0, 1], otherwise as a raw score whose sigmoid is that probability.
    /// The decision is made once for the whole column. Needs a classification label column; rows whose label is missing
    /// (key value 0) then train on the teacher's scores alone. The teacher is not part of the fitted model.
    /// </summary>
    /// <remarks>Default null (no distillation: the label alone, exactly as without these options).</remarks>
    public string? TeacherScoreColumnName { get; set; }

    /// <summary>
    /// Temperature T that softens both the teacher's and the student's distributions in the soft loss,
    /// T² · cross-entropy(softmax(teacher / T), softmax(student / T)); the T² factor keeps its gradients on the scale of the hard loss.
    /// </summary>
    /// <remarks>Default 2. Greater than 0; typical range 1–5. Used only with <see cref="TeacherScoreColumnName"/>.</remarks>
    public float DistillationTemperature { get; set; } = 2f;

    /// <summary>
    /// Share w of the soft (teacher) loss: each row's loss is w · soft + (1 − w) · hard, where hard is the cross-entropy
    /// against the label and is 0 for a row without a label; a batch's loss is the mean over its rows.
    /// </summary>
    /// <remarks>Default 0.5. Allowed [0, 1]; 1 learns from the teacher alone, 0 from the label alone. Used only with <see cref="TeacherScoreColumnName"/>.</remarks>
    public float DistillationWeight { get; set; } = 0.5f;

    /// <summary>Checks the shared settings; the component checks its own.</summary>
    internal void ValidateTraining(IExceptionContext host)
    {
        host.CheckUserArg(NumberOfEpochs >= 1, nameof(NumberOfEpochs), "must be at least 1");
        host.CheckUserArg(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        host.CheckUserArg(LearningRate > 0, nameof(LearningRate), "must be positive");
        host.CheckUserArg(Enum.IsDefined(Optimizer), nameof(Optimizer), "is not a known optimizer");
        host.CheckUserArg(WeightDecay >= 0, nameof(WeightDecay), "must be 0 or positive");
        host.CheckUserArg(WarmupFraction >= 0 && WarmupFraction < 1, nameof(WarmupFraction), "must be in [0, 1)");
        host.CheckUserArg(GradientClipNorm >= 0, nameof(GradientClipNorm), "must be 0 (off) or positive");
        host.CheckUserArg(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), "must be in [0, 1)");
        host.CheckUserArg(EarlyStoppingPatience >= 1, nameof(EarlyStoppingPatience), "must be at least 1");
        host.CheckUserArg(NumberOfThreads == null || NumberOfThreads >= 1, nameof(NumberOfThreads), "must be at least 1");
        host.CheckUserArg(OutputCacheMegabytes >= 0, nameof(OutputCacheMegabytes), "must be 0 (off) or more");
        host.CheckUserArg(DistillationTemperature > 0 && float.IsFinite(DistillationTemperature), nameof(DistillationTemperature), "must be positive");
        host.CheckUserArg(DistillationWeight >= 0 && DistillationWeight <= 1, nameof(DistillationWeight), "must be in [0, 1]");
    }

    /// <summary>The distillation settings for the teacher's logits of the objective's rows; null without a teacher.</summary>
    internal Distillation? ToDistillation(float[][]? teacherLogits)
        => teacherLogits == null ? null : new Distillation(teacherLogits, DistillationTemperature, DistillationWeight);

    /// <summary>The settings of the training loop, with the seed chosen by <see cref="TrainingRun.Begin"/>.</summary>
    internal TrainingSettings ToSettings(int seed)
        => new TrainingSettings(NumberOfEpochs, BatchSize, LearningRate, EarlyStoppingPatience, GradientClipNorm, seed, Optimizer, Progress)
        {
            WeightDecay = WeightDecay,
            WarmupFraction = WarmupFraction,
            DivergenceCauses = DivergenceCauses(),
        };

    // What can make the loss NaN or infinite, most likely first, for the error that stops such a fit.
    private string[] DivergenceCauses()
    {
        var causes = new List<string> { $"the learning rate (LearningRate = {LearningRate:G3}: try one 10 times smaller)" };
        if (this is AttentionTextTrainingOptions { PretrainedVectorsPath: string vectors })
            causes.Add($"the word-vector file '{vectors}' (PretrainedVectorsPath: values too large)");
        if (TeacherScoreColumnName != null)
            causes.Add($"the teacher scores in column '{TeacherScoreColumnName}' (TeacherScoreColumnName: extreme values)");
        return causes.ToArray();
    }
}
