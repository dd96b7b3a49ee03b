using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Training;

[TestClass]
public sealed class WeightDecayTests
{
    /// <summary>
    /// With zero gradients AdamW's step is its decay alone, p ← p (1 − rate · decay): weight matrices shrink by exactly
    /// that factor (the head's at its own rate), while biases and the LayerNorm scale and shift stay as they were, as in
    /// the standard fine-tuning recipe. Adam, which has no decoupled decay, moves nothing.
    /// </summary>
    [TestMethod]
    public void AdamWDecaysWeightMatricesButNotBiasesOrNormalizationScales()
    {
        const double rate = 0.01, decay = 0.5, headScale = 20;
        Dictionary<string, (float[] Before, float[] After)> Step(OptimizerKind optimizer)
        {
            torch.random.manual_seed(3);
            using var body = nn.Sequential(("weights", nn.Linear(3, 3)), ("norm", nn.LayerNorm(3)));
            using var model = new ModuleWithHead<TorchSharp.Modules.Sequential>(body, 3, 2);
            using (torch.no_grad())
                foreach (var (name, p) in model.named_parameters().Where(p => p.name.StartsWith("body.norm.")))
                    p.copy_(torch.rand(3) + 0.5); // away from 1 and 0, so a decay of the scale or shift would show
            var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
            var host = ((IHostEnvironment)new MLContext(seed: 1)).Register("test");
            using var channel = host.Start("test");
            var settings = new TrainingSettings(1, 4, rate, 1, 0, 1, optimizer) { HeadLearningRateScale = headScale, WeightDecay = decay };
            using var inputs = torch.randn(4, 3);
            new TrainingLoop(host, channel, settings).Run(model, _ => new[] { new[] { 0, 1, 2, 3 } }, System.Array.Empty<int>(),
                _ => (model.Head(model.Body.call(inputs)) * 0).sum(), _ => default);
            return model.state_dict().ToDictionary(p => p.Key, p => (before[p.Key], p.Value.data<float>().ToArray()));
        }

        var adamW = Step(OptimizerKind.AdamW);
        CollectionAssert.AreEquivalent(new[] { "body.weights.weight", "body.weights.bias", "body.norm.weight", "body.norm.bias", "head.weight", "head.bias" },
            adamW.Keys.ToArray(), "the parameters checked");
        foreach (var (name, (before, after)) in adamW)
        {
            double factor = name switch
            {
                "body.weights.weight" => 1 - rate * decay,
                "head.weight" => 1 - rate * headScale * decay,
                _ => 1,
            };
            for (int i = 0; i < before.Length; i++)
                Assert.AreEqual(before[i] * factor, after[i], 1e-6, $"AdamW, {name}[{i}]");
        }
        foreach (var (name, (before, after)) in Step(OptimizerKind.Adam))
            CollectionAssert.AreEqual(before, after, $"Adam, {name}: no gradient, no decay");
    }
}
