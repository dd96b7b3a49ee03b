// An application that references Microsoft.ML.Attention by ProjectReference and imports its buildTransitive targets
// with the one line README gives: the output's libLibTorchSharp.so is fixed, TorchSharp loads, and the three
// pipelines train, save, load and score. Exit code 0 when every check passed, 1 when one failed.
using PackageConsumer;

var checks = new Checks();
checks.Run("libLibTorchSharp.so in the output is weakened, the NuGet cache copy is not", NativeFix.Verify);
checks.RunPipelines();
return checks.Finish("ProjectReference consumer");
