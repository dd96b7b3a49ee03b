// Proves the packed Microsoft.ML.Attention works outside the repository: checks what the .nupkg holds, that
// the application got the packed assembly and the libstdc++ fix from the package, and runs a small pipeline
// with each capability through training, Model.Save, Model.Load and PredictionEngine.
// Usage: PackageConsumer --nupkg <Microsoft.ML.Attention.*.nupkg> --repository <repository root>
// Exit code 0 when every check passed, 1 when one failed, 2 on a usage error.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using PackageConsumer;

string? nupkg = null, repository = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--nupkg": nupkg = args[i + 1]; break;
        case "--repository": repository = args[i + 1]; break;
    }
}
if (nupkg is null || repository is null || args.Length != 4)
{
    Console.Error.WriteLine("Usage: PackageConsumer --nupkg <Microsoft.ML.Attention.*.nupkg> --repository <repository root>");
    return 2;
}

var failures = new List<string>();
bool Check(string name, Action check)
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
        failures.Add(name);
        return false;
    }
}

Check("package contents and dependencies", () => PackageContents.Verify(nupkg, repository));
Check("application runs the packed assembly", () => PackageContents.VerifyConsumedAssembly(nupkg));
Check("libLibTorchSharp.so in the output is weakened, the NuGet cache copy is not", NativeFix.Verify);
if (Check("TorchSharp loads and computes", Pipelines.TorchComputes))
{
    Check("attention pooling: train, score, save, load, PredictionEngine", Pipelines.AttentionPooling);
    Check("hierarchical attention network: 1 epoch, score, save, load, PredictionEngine", Pipelines.HierarchicalAttention);
    Check("self-attention featurizer: 1 epoch, score, save, load, PredictionEngine", Pipelines.SelfAttentionFeaturizer);
}
else
{
    failures.Add("pipelines (not run: TorchSharp did not load)");
    Console.WriteLine("FAILED  pipelines not run: TorchSharp did not load, so the package's buildTransitive fix or its native dependencies are missing.");
}

if (failures.Count == 0)
{
    Console.WriteLine("Package consumer: every check passed.");
    return 0;
}
Console.WriteLine($"Package consumer: {failures.Count} check(s) failed: {string.Join("; ", failures)}");
return 1;
