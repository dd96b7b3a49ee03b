using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// An architecture record saved with a module checkpoint: it can say what is wrong with its own values and which
/// weights, with which shapes, a module built from it would have. Both are checked before the module is built, so a
/// size edited in the saved JSON is refused before memory is spent on it.
/// </summary>
internal interface ICheckpointArchitecture
{
    /// <summary>What makes the values unusable for scoring (a size below 1, a dropout outside [0, 1), ...), or null.</summary>
    string? Problem();

    /// <summary>Weights whose shapes carry every size of the architecture that allocates memory, as the built module names them.</summary>
    IEnumerable<(string Name, long[] Shape)> WeightShapes();
}

/// <summary>The names and shapes of a checkpoint's tensors, read before any module is built.</summary>
internal sealed class CheckpointShapes
{
    private readonly IReadOnlyDictionary<string, long[]> _shapes;

    public CheckpointShapes(IReadOnlyDictionary<string, long[]> shapes) => _shapes = shapes;

    /// <summary>The shape of tensor <paramref name="name"/>, or null when the checkpoint does not hold it.</summary>
    public long[]? Shape(string name) => _shapes.TryGetValue(name, out var shape) ? shape : null;

    /// <summary>Refuses an architecture whose values are invalid or whose sizes differ from the weights; <paramref name="part"/> names it.</summary>
    public void Check(ICheckpointArchitecture architecture, string part)
    {
        if (architecture.Problem() is { } problem)
            throw ModelFormat.Error(part, problem);
        foreach (var (name, expected) in architecture.WeightShapes())
        {
            var found = Shape(name);
            if (found is null)
                throw ModelFormat.Error(part, $"it implies tensor '{name}' of shape {Text(expected)}, which the module checkpoint does not hold.");
            if (!found.SequenceEqual(expected))
                throw ModelFormat.Error(part, $"it implies tensor '{name}' of shape {Text(expected)}, but the module checkpoint holds {Text(found)}.");
        }
    }

    /// <summary>A shape as "[a, b]".</summary>
    public static string Text(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
