using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

[TestClass]
public sealed class HeadLearningRateTests
{
    /// <summary>
    /// Adam's first step moves every weight by about its learning rate (m / sqrt(v) = ±1): with a head scale of 20 the
    /// temporary head moves 20 times as far as the body, and the body exactly as with one rate for all.
    /// </summary>
    [TestMethod]
    public void TheTemporaryHeadLearnsAtItsOwnMultipleOfTheRate()
    {
        (double Body, double Head) FirstStep(double scale, OptimizerKind optimizer)
        {
            torch.random.manual_seed(1);
            using var body = nn.Linear(3, 3);
            using var model = new ModuleWithHead<TorchSharp.Modules.Linear>(body, 3, 2);
            var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            var host = ((IHostEnvironment)new MLContext(seed: 1)).Register("test");
            using var channel = host.Start("test");
            var settings = new TrainingSettings(1, 4, 1e-3, 1, 0, 1, optimizer) { HeadLearningRateScale = scale, WeightDecay = 0 };
            using var inputs = torch.randn(4, 3);
            using var targets = torch.tensor(new long[] { 0, 1, 0, 1 });
            new TrainingLoop(host, channel, settings).Run(model, _ => new[] { new[] { 0, 1, 2, 3 } }, System.Array.Empty<int>(),
                _ => nn.functional.cross_entropy(model.Head(model.Body.call(inputs)), targets), _ => default);
            double Moved(string prefix) => model.state_dict().Where(p => p.Key.StartsWith(prefix))
                .Average(p => (p.Value - before[p.Key]).abs().mean().item<float>());
            var moved = (Moved("body."), Moved("head."));
            foreach (var tensor in before.Values)
                tensor.Dispose();
            return moved;
        }
        foreach (var optimizer in new[] { OptimizerKind.Adam, OptimizerKind.AdamW })
        {
            var (body, head) = FirstStep(20, optimizer);
            Assert.AreEqual(1e-3, body, 1e-4, $"{optimizer}: the body moves by its rate");
            Assert.AreEqual(20e-3, head, 2e-3, $"{optimizer}: the head moves by 20 times the rate");
            var (sameBody, sameHead) = FirstStep(1, optimizer);
            Assert.AreEqual(body, sameBody, 1e-9, $"{optimizer}: the body's step does not depend on the head's rate");
            Assert.AreEqual(1e-3, sameHead, 1e-4, $"{optimizer}: one rate for all without a scale");
        }
    }
}
