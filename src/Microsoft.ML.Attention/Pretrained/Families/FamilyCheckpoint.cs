using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Copies checkpoint tensors into a family's <see cref="EncoderModule"/> by Hugging Face name. Every tensor of the
/// model must be found with its exact shape; the checkpoint may hold, beyond them, only parts of Hugging Face models
/// the encoder does not use (the family's poolers, pre-training and task heads, the position-id buffer). Anything else
/// is an error naming the file.
/// </summary>
internal static class FamilyCheckpoint
{
    /// <summary>The tensors the encoder may use, by Hugging Face name without a task model's prefix; a name given twice is an error.</summary>
    public static Dictionary<string, WeightTensor> ByName(ModelFamily family, IReadOnlyList<WeightTensor> tensors, string file)
    {
        var taskModelPrefix = family.TaskModelPrefix + ".";
        var byName = new Dictionary<string, WeightTensor>();
        foreach (var tensor in tensors)
        {
            var name = tensor.Name.StartsWith(taskModelPrefix, StringComparison.Ordinal) ? tensor.Name[taskModelPrefix.Length..] : tensor.Name;
            if (family.UnusedNames.Contains(name) || family.UnusedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
                continue;
            if (!byName.TryAdd(name, tensor))
                throw CheckpointErrors.Invalid(file, $"tensor '{name}' appears twice.");
        }
        return byName;
    }

    /// <summary>
    /// Refuses a configuration whose sizes differ from the weights' (<paramref name="shapeOf"/> gives a tensor's shape
    /// by Hugging Face name, or null), before an encoder is built from it: a size edited in config.json never allocates.
    /// </summary>
    public static void CheckConfig(IEncoderConfig config, Func<string, long[]?> shapeOf, string file)
    {
        foreach (var (name, expected) in config.WeightShapes())
        {
            var found = shapeOf(name);
            if (found is null)
                throw CheckpointErrors.Invalid(file, $"the configuration ({config.Describe()}) implies tensor '{name}' [{string.Join(", ", expected)}], which the weights do not hold.");
            if (!found.SequenceEqual(expected))
                throw CheckpointErrors.Invalid(file, $"the configuration ({config.Describe()}) implies tensor '{name}' [{string.Join(", ", expected)}], but the weights hold [{string.Join(", ", found)}].");
        }
    }

    public static void Load(EncoderModule model, IReadOnlyList<WeightTensor> tensors, string file)
    {
        var family = model.Config.Family;
        var byName = ByName(family, tensors, file);
        var sizes = model.Config.Describe();

        var state = model.state_dict();
        var unexpected = byName.Keys.Where(k => !state.ContainsKey(k)).ToList();
        if (unexpected.Count > 0)
            throw CheckpointErrors.Invalid(file, $"unexpected tensors {string.Join(", ", unexpected.Take(5).Select(n => $"'{n}'"))}"
                + (unexpected.Count > 5 ? $" and {unexpected.Count - 5} more" : "")
                + $" for a {family.ModelType} encoder ({sizes}; expected Hugging Face names such as '{family.ExampleKey}').");
        var missing = state.Keys.Where(k => !byName.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw CheckpointErrors.Invalid(file, $"missing tensors {string.Join(", ", missing.Take(5).Select(n => $"'{n}'"))}"
                + (missing.Count > 5 ? $" and {missing.Count - 5} more" : "") + $" of a {family.ModelType} encoder ({sizes}).");

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in state)
        {
            var source = byName[name];
            if (!target.shape.SequenceEqual(source.Shape))
                throw CheckpointErrors.Invalid(file, $"tensor '{name}' has shape {source.ShapeText}; the configuration gives [{string.Join(", ", target.shape)}].");
            source.CopyInto(target);
        }
    }
}
