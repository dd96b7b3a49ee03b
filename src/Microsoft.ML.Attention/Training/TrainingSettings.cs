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
    Action<TrainingProgress>? Progress = null)
{
    /// <summary>Decoupled weight decay (AdamW only), of parameters with two or more dimensions.</summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// The temporary head's learning rate as a multiple of <see cref="LearningRate"/>: a new head next to a pretrained
    /// encoder needs a far larger rate than the encoder's small one to give it useful gradients early.
    /// </summary>
    public double HeadLearningRateScale { get; init; } = 1;

    /// <summary>Share of all steps with a linearly rising learning rate, then linear decay to 0; 0 keeps it constant.</summary>
    public double WarmupFraction { get; init; }

    /// <summary>
    /// Whether glibc's mmap threshold is fixed while training runs (<see cref="Infrastructure.GlibcMalloc.BeforeTraining"/>),
    /// so that large activations come from fresh mappings and are returned whole instead of fragmenting the heap. Only a
    /// pretrained encoder's fine-tuning asks for it: its compute per activation hides the cost of fresh pages, where the
    /// library's small networks spend most of their step faulting them in.
    /// </summary>
    public bool MapsLargeActivations { get; init; }

    /// <summary>What can make the loss NaN or infinite in this run (the learning rate, the vectors file, the teacher scores), named by the error that stops it.</summary>
    public string[] DivergenceCauses { get; init; } = Array.Empty<string>();
}
