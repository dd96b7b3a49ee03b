// Microsoft.ML.TorchSharp beside the packed Microsoft.ML.Attention in one application: its assembly loads and
// creates its TextClassification estimator (not fitted: its trainers download pretrained weights at Fit, which
// these machines cannot), the process holds a single TorchSharp, and then this library's three pipelines train,
// save, load and score. Exit code 0 when every check passed, 1 when one failed.
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.TorchSharp;
using PackageConsumer;

var checks = new Checks();
checks.Run("Microsoft.ML.TorchSharp: TextClassification estimator created", () =>
{
    var ml = new MLContext(seed: 1);
    var estimator = ml.MulticlassClassification.Trainers.TextClassification(labelColumnName: "Label", sentence1ColumnName: "Text");
    var assembly = estimator.GetType().Assembly.GetName();
    PackageContents.Require(assembly.Name == "Microsoft.ML.TorchSharp", $"the estimator comes from {assembly.Name}");
    Console.WriteLine($"        {estimator.GetType().Name} from {assembly.Name} {assembly.Version}");
});
checks.Run("libLibTorchSharp.so in the output is weakened, the NuGet cache copy is not", NativeFix.Verify);
checks.RunPipelines();
checks.Run("one TorchSharp serves both libraries", () =>
{
    var torchSharps = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "TorchSharp").ToList();
    PackageContents.Require(torchSharps.Count == 1, $"{torchSharps.Count} TorchSharp assemblies are loaded");
    PackageContents.Require(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.ML.TorchSharp"),
        "Microsoft.ML.TorchSharp's assembly is not loaded");
    Console.WriteLine($"        TorchSharp {torchSharps[0].GetName().Version} from {torchSharps[0].Location}");
});
return checks.Finish("TorchSharp neighbour consumer");
