using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// A small network (3 → 4 → tanh → 2) and 8 fixed rows of two classes, trained through <see cref="TrainingLoop"/> by
/// the training tests: whatever a test checks about the loop, the rows have unequal losses and every step moves the weights.
/// </summary>
internal sealed class SmallClassifier : IDisposable
{
    private readonly Tensor _inputs;
    private readonly Tensor _labels;

    public SmallClassifier(int seed)
    {
        torch.random.manual_seed(seed);
        Model = nn.Sequential(("hidden", nn.Linear(3, 4)), ("tanh", nn.Tanh()), ("out", nn.Linear(4, 2)));
        _inputs = torch.randn(8, 3);
        _labels = torch.tensor(new long[] { 0, 1, 1, 0, 1, 0, 0, 1 });
    }

    /// <summary>The network being trained.</summary>
    public TorchSharp.Modules.Sequential Model { get; }

    /// <summary>All 8 rows, one batch.</summary>
    public int[] Batch { get; } = Enumerable.Range(0, 8).ToArray();

    /// <summary>Mean cross-entropy of the rows.</summary>
    public Tensor Loss(IReadOnlyList<int> rows)
    {
        using var index = torch.tensor(rows.Select(r => (long)r).ToArray());
        return nn.functional.cross_entropy(Model.call(_inputs.index_select(0, index)), _labels.index_select(0, index));
    }

    /// <summary>Runs the loop on the network with <paramref name="settings"/>.</summary>
    public void Train(TrainingSettings settings, IReadOnlyList<int> validation, Func<IReadOnlyList<int>, Evaluation> evaluate,
        Func<int[], IReadOnlyList<int[]>>? parts = null)
    {
        var host = ((IHostEnvironment)new MLContext(seed: 1)).Register("test");
        using var channel = host.Start("test");
        new TrainingLoop(host, channel, settings).Run(Model, _ => new[] { Batch }, validation, Loss, evaluate, parts);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        _inputs.Dispose();
        _labels.Dispose();
    }
}
