// Proves the packed Microsoft.ML.Attention works outside the repository: checks what the .nupkg holds, that
// the application got the packed assembly and the libstdc++ fix from the package, and runs a small pipeline
// with each capability through training, Model.Save, Model.Load and PredictionEngine.
// Usage: PackageConsumer --nupkg <Microsoft.ML.Attention.*.nupkg> --repository <repository root>
// Exit code 0 when every check passed, 1 when one failed, 2 on a usage error.
using System;
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

var checks = new Checks();
checks.Run("package contents and dependencies", () => PackageContents.Verify(nupkg, repository));
checks.Run("application runs the packed assembly", () => PackageContents.VerifyConsumedAssembly(nupkg));
checks.Run("libLibTorchSharp.so in the output is weakened, the NuGet cache copy is not", NativeFix.Verify);
#if ML_ATTENTION_FASTTREE
checks.Run("Microsoft.ML.FastTree beside the library: estimator created", () =>
{
    var trainer = Microsoft.ML.TreeExtensions.FastTree(new Microsoft.ML.MLContext(seed: 1).BinaryClassification.Trainers, numberOfTrees: 5);
    Console.WriteLine($"        {trainer.GetType().Name} from {trainer.GetType().Assembly.GetName().Name}");
});
#endif
checks.RunPipelines();
return checks.Finish("Package consumer");
