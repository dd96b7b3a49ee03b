using System;

namespace Microsoft.ML.Attention.Training;

/// <summary>Settings of <see cref="TrainingLoop"/>, copied from a capability's Options.</summary>
internal sealed record TrainingSettings(
    int Epochs,
    int BatchSize,
    double LearningRate,
    int EarlyStoppingPatience,
    double GradientClipNorm,
    int Seed,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    Action<TrainingProgress>? Progress = null);
