using System.Collections.Generic;
using Microsoft.ML.Attention.Infrastructure;

namespace Microsoft.ML.Attention.Pretrained;

// Saved as a JSON document of these named fields (ModuleCheckpoint.Save, ModelFormat).
/// <summary>
/// The kept head of a fine-tuned pretrained encoder: a linear layer from the pooled vector (before normalization) to one
/// logit per class, and the temperature its logits are divided by before the softmax (1 unless scaled).
/// </summary>
internal sealed record ClassifierHeadArchitecture(int Inputs, int Classes, double Temperature = 1) : ICheckpointArchitecture
{
    /// <inheritdoc/>
    public string? Problem()
    {
        if (Inputs < 1 || Classes < 2)
            return $"Inputs {Inputs} must be positive and Classes {Classes} at least 2.";
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            return $"Temperature {Temperature} must be a positive number.";
        return null;
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, long[] Shape)> WeightShapes()
        => new[] { ("weight", new long[] { Classes, Inputs }), ("bias", new long[] { Classes }) };
}
