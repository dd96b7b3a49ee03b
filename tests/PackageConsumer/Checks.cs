using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace PackageConsumer;

/// <summary>Runs named checks, prints ok/FAILED with timings, and gives the exit code. Shared by the consumers under tests/.</summary>
internal sealed class Checks
{
    private readonly List<string> _failures = new List<string>();

    public bool Run(string name, Action check)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            check();
            Console.WriteLine($"ok      {name} ({watch.Elapsed.TotalSeconds:F1} s)");
            return true;
        }
        catch (Exception e)
        {
            // Anything thrown is a failure of the package, whatever its type: a missing native library shows up
            // as a TypeInitializationException, an ML.NET incompatibility as an InvalidOperationException.
            Console.WriteLine($"FAILED  {name}: {e.GetType().Name}: {e.Message}");
            if (e.InnerException is not null)
                Console.WriteLine($"        caused by {e.InnerException.GetType().Name}: {e.InnerException.Message}");
            _failures.Add(name);
            return false;
        }
    }

    /// <summary>Runs the three pipelines once TorchSharp is known to load.</summary>
    public void RunPipelines()
    {
        Run("the application runs on the ML.NET it asked for", PackageContents.VerifyMlNetVersion);
        if (Run("TorchSharp loads and computes", Pipelines.TorchComputes))
        {
            Run("attention pooling: train, score, save, load, PredictionEngine", Pipelines.AttentionPooling);
            Run("hierarchical attention network: 1 epoch, score, save, load, PredictionEngine", Pipelines.HierarchicalAttention);
            Run("self-attention featurizer: 1 epoch, score, save, load, PredictionEngine", Pipelines.SelfAttentionFeaturizer);
        }
        else
        {
            _failures.Add("pipelines (not run: TorchSharp did not load)");
            Console.WriteLine("FAILED  pipelines not run: TorchSharp did not load, so the buildTransitive fix or its native dependencies are missing.");
        }
    }

    /// <summary>Prints the summary; 0 when every check passed, 1 otherwise.</summary>
    public int Finish(string consumer)
    {
        if (_failures.Count == 0)
        {
            Console.WriteLine($"{consumer}: every check passed.");
            return 0;
        }
        Console.WriteLine($"{consumer}: {_failures.Count} check(s) failed: {string.Join("; ", _failures)}");
        return 1;
    }
}
