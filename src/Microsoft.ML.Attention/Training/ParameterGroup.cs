using System.Collections.Generic;
using TorchSharp.Modules;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Parameters that learn at one rate with one weight decay. The rate changes during training (warm-up, then decay)
/// as a factor of <see cref="PeakLearningRate"/>.
/// </summary>
internal sealed class ParameterGroup
{
    public ParameterGroup(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay)
    {
        Parameters = parameters;
        PeakLearningRate = learningRate;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The rate the schedule scales.</summary>
    public double PeakLearningRate { get; }

    /// <summary>The rate of the next step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Decoupled weight decay: each step multiplies the weights by 1 − rate × decay (AdamW only).</summary>
    public double WeightDecay { get; }
}
