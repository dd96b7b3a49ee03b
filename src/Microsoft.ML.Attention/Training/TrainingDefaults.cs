namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The defaults of a component's training settings (see <see cref="AttentionTrainingOptions"/>); a setting the user
/// leaves alone reads its value from here.
/// </summary>
internal sealed record TrainingDefaults(
    int NumberOfEpochs,
    int BatchSize,
    double LearningRate,
    int EarlyStoppingPatience,
    double GradientClipNorm,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    double WeightDecay = 0.01,
    double WarmupFraction = 0);
