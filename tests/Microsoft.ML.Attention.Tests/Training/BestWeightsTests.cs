using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

/// <summary>
/// Early stopping keeps the best epoch's weights in a temporary file and puts them back exactly: every float32 value
/// bit for bit (tensors larger than one slice of the file included), other tensors from memory; the file is gone once
/// training ends, and on Linux its name is gone from the start.
/// </summary>
[TestClass]
public sealed class BestWeightsTests
{
    [TestMethod]
    public void KeptWeightsComeBackBitForBit()
    {
        torch.random.manual_seed(3);
        // 1,100,000 weights: many slices (2^14 values) of the file, the last one partial.
        using var model = nn.Sequential(("big", nn.Linear(1100, 1000)), ("small", nn.Linear(1000, 3)));
        using var counts = torch.tensor(new long[] { 7, 8, 9 });
        model.register_buffer("counts", counts);
        var saved = State(model);

        string file;
        using (var best = new BestWeights())
        {
            best.Save(model);
            Assert.IsTrue(best.InFile, "the float weights went to the temporary file");
            file = best.FilePath!;
            if (!OperatingSystem.IsWindows())
            {
                Assert.IsFalse(File.Exists(file), "the name is removed at once, so a process killed during training leaves nothing behind");
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, best.FileMode, "readable and writable by the owner only, whatever the umask");
            }
            Assert.AreEqual(1_103_000L * sizeof(float) + 1003 * sizeof(float), best.FileBytes, "every float32 value, nothing else");
            best.Save(model);
            Assert.AreEqual(1_103_000L * sizeof(float) + 1003 * sizeof(float), best.FileBytes, "saved again: replaced, not appended");
            using (torch.no_grad())
                foreach (var (_, tensor) in model.state_dict())
                    tensor.add_(1);
            best.Restore(model);
            var restored = State(model);
            foreach (var (name, values) in saved)
                CollectionAssert.AreEqual(values, restored[name], $"{name} restored exactly");
        }
        Assert.IsFalse(File.Exists(file), "the temporary file is deleted when training ends");
    }

    [TestMethod]
    public void EarlyStoppingKeepsTheBestEpochsWeights()
    {
        // Validation losses are scripted; the weights each validation saw are recorded, then compared with the weights
        // training leaves: epoch 2's when epoch 3 is worse, epoch 1's when epoch 2 is worse and patience ends the run,
        // the last epoch's own when it is the best.
        Assert.AreEqual(2, BestEpochKept(new[] { 0.5, 0.4, 0.6 }, patience: 2, expectedEpochs: 3));
        Assert.AreEqual(1, BestEpochKept(new[] { 0.5, 0.7, 0.1 }, patience: 1, expectedEpochs: 2));
        Assert.AreEqual(3, BestEpochKept(new[] { 0.5, 0.4, 0.3 }, patience: 1, expectedEpochs: 3));
    }

    private static int BestEpochKept(double[] losses, int patience, int expectedEpochs)
    {
        using var network = new SmallClassifier(seed: 5);
        var settings = new TrainingSettings(losses.Length, 8, 0.05, patience, 0, 1, OptimizerKind.Adam);
        var seen = new List<Dictionary<string, float[]>>();
        network.Train(settings, new[] { 0 }, _ =>
        {
            seen.Add(State(network.Model));
            return new Evaluation(losses[seen.Count - 1], double.NaN);
        });
        Assert.AreEqual(expectedEpochs, seen.Count, "epochs run");
        var final = State(network.Model);
        var matches = Enumerable.Range(0, seen.Count)
            .Where(e => seen[e].All(p => p.Value.SequenceEqual(final[p.Key]))).Select(e => e + 1).ToArray();
        Assert.AreEqual(1, matches.Length, "the final weights are exactly one epoch's (each step moved them)");
        return matches[0];
    }

    private static Dictionary<string, float[]> State(nn.Module model)
        => model.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(ScalarType.Float32).data<float>().ToArray());
}
