using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// Fine-tuning steps against PyTorch: the same tiny BERT (<see cref="TinyBert"/>, dropout off), the same initial head,
/// the same word pieces and labels, one batch of every text a step (so the batch order cannot differ), AdamW with
/// the library's fine-tuning settings (weight decay 0.01 on weight matrices and embeddings, the head at its own rate,
/// clipping at global norm 1, warm-up then linear decay). The expected numbers are PyTorch's, in double precision,
/// stored in Data/finetune-steps-pytorch.json by benchmarks/reference/finetune_steps.py from the inputs this test
/// writes (how to regenerate: that script's header).
/// </summary>
[TestClass]
public sealed class FineTuningStepTests
{
    private static readonly string[] Texts = { "the cat sat on the mat.", "a dog ran", "the dogs ran, a cat sat", "mat", "cats sat on a dog .", "the the the" };
    private static readonly string[] Labels = { "x", "y", "z", "y", "x", "z" };
    private const int Steps = 4, HeadSeed = 7;
    private const double LearningRate = 0.01, WeightDecay = 0.01, ClipNorm = 1.0, Warmup = 0.25;

    private static string ReferencePath => Path.Combine(AppContext.BaseDirectory, "Pretrained", "Data", "finetune-steps-pytorch.json");

    [TestMethod]
    public void FineTuningStepsEqualPyTorchs()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"finetune-steps-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var tiny = new TinyBert();
        tiny.WriteFolder(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"),
            TinyBert.ConfigJson().TrimEnd().TrimEnd('}') + """, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}""");
        try
        {
            using var encoder = PretrainedEncoder.Load(folder);
            var tokens = Texts.Select(encoder.Tokenize).ToArray();
            var classes = Labels.Distinct().Order(StringComparer.Ordinal).ToArray();
            var targets = Labels.Select(l => (float)Array.IndexOf(classes, l)).ToArray();

            // The head is the first thing fine-tuning draws from libtorch's generator: the same seed gives this head.
            torch.random.manual_seed(HeadSeed);
            float[] headWeight, headBias;
            using (var probe = torch.nn.Linear(TinyBert.Hidden, classes.Length))
            {
                headWeight = probe.weight!.data<float>().ToArray();
                headBias = probe.bias!.data<float>().ToArray();
            }

            var losses = new List<double>();
            var ml = new MLContext(seed: 1);
            var host = ((IHostEnvironment)ml).Register("test");
            using var channel = host.Start("test");
            var settings = new TrainingSettings(Steps, Texts.Length, LearningRate, 1, ClipNorm, 1, OptimizerKind.AdamW, p => losses.Add(p.TrainingLoss))
            {
                WeightDecay = WeightDecay,
                WarmupFraction = Warmup,
                HeadLearningRateScale = PretrainedFineTuning.HeadLearningRateScale,
            };
            var label = LabelColumn.Find(host, KeyedLabels(ml, classes).Schema, "Label");
            var before = Parameters(encoder.Model);
            torch.random.manual_seed(HeadSeed);
            PretrainedFineTuning.Supervised(host, channel, encoder.Model, tokens, targets, label, Enumerable.Range(0, Texts.Length).ToArray(),
                Array.Empty<int>(), settings);
            var after = Parameters(encoder.Model);

            var inputs = new JsonObject
            {
                ["ids"] = new JsonArray(tokens.Select(t => (JsonNode)new JsonArray(t.Windows.Single().Select(i => (JsonNode)i).ToArray())).ToArray()),
                ["targets"] = new JsonArray(targets.Select(t => (JsonNode)(int)t).ToArray()),
                ["head_weight"] = Floats(headWeight),
                ["head_bias"] = Floats(headBias),
                ["weights"] = new JsonObject(before.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject
                {
                    ["shape"] = new JsonArray(p.Value.Shape.Select(s => (JsonNode)s).ToArray()),
                    ["values"] = Floats(p.Value.Values),
                }))),
                ["settings"] = new JsonObject
                {
                    ["steps"] = Steps, ["learning_rate"] = LearningRate, ["head_scale"] = PretrainedFineTuning.HeadLearningRateScale,
                    ["weight_decay"] = WeightDecay, ["clip_norm"] = ClipNorm, ["warmup_fraction"] = Warmup,
                    ["hidden"] = TinyBert.Hidden, ["heads"] = TinyBert.Heads, ["layers"] = TinyBert.Layers, ["epsilon"] = TinyBert.Epsilon,
                },
            };
            if (Environment.GetEnvironmentVariable("FINETUNE_STEPS_INPUTS") is string inputsPath)
                File.WriteAllText(inputsPath, inputs.ToJsonString());

            var reference = JsonNode.Parse(File.ReadAllText(ReferencePath))!;
            var used = reference["inputs"]!;
            const string stale = "the reference was computed from other inputs: regenerate it (benchmarks/reference/finetune_steps.py)";
            CollectionAssert.AreEqual(tokens.SelectMany(t => t.Windows.Single()).Select(i => (double)i).ToArray(),
                Numbers(used["ids"]!.AsArray().SelectMany(t => t!.AsArray()).ToArray()), $"word pieces: {stale}");
            CollectionAssert.AreEqual(targets.Select(t => (double)t).ToArray(), Numbers(used["targets"]!.AsArray()), $"targets: {stale}");
            // The head comes from libtorch's generator: a libtorch whose initialization draws differently shows here.
            CollectionAssert.AreEqual(headWeight.Select(v => (double)v).ToArray(), Numbers(used["head_weight"]!.AsArray()), $"initial head: {stale}");
            CollectionAssert.AreEqual(headBias.Select(v => (double)v).ToArray(), Numbers(used["head_bias"]!.AsArray()), $"initial head bias: {stale}");
            foreach (var (name, (_, values)) in before)
                CollectionAssert.AreEqual(values.Select(v => (double)v).ToArray(), Numbers(used["weights"]![name]!["values"]!.AsArray()), $"{name}: {stale}");

            var expectedLosses = reference["losses"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.HasCount(Steps, losses, "one progress report a step");
            for (int s = 0; s < Steps; s++)
                Assert.AreEqual(expectedLosses[s], losses[s], 1e-5 * Math.Max(1, expectedLosses[s]), $"loss of step {s + 1}");

            var expected = reference["weights"]!.AsObject();
            Assert.HasCount(expected.Count, after, "the same parameters");
            double moved = 0;
            var mismatches = new List<string>();
            var unmoved = new HashSet<string>();
            foreach (var (name, (_, values)) in after)
            {
                var want = expected[name]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                var start = before[name].Values;
                for (int i = 0; i < want.Length; i++)
                {
                    // A key bias adds the same q·b to every score of a query, which softmax ignores: its exact gradient is
                    // 0, PyTorch's float64 one is rounding (~1e-17) and float32's ~1e-9, which AdamW's g / (|g| + 1e-8)
                    // turns into steps of any size. Such elements say nothing about the recipe; every other one must agree.
                    if (Math.Abs(want[i] - start[i]) < 1e-9)
                    {
                        unmoved.Add(name);
                        continue;
                    }
                    // float32 against float64 over 4 steps of about 0.01: 2e-5 is far below a step and far above rounding.
                    if (Math.Abs(want[i] - values[i]) > 2e-5)
                        mismatches.Add($"{name}[{i}]: {values[i]} instead of {want[i]} (started at {start[i]}, PyTorch moved it by {want[i] - start[i]:G3})");
                    moved = Math.Max(moved, Math.Abs(want[i] - start[i]));
                }
            }
            Assert.IsEmpty(mismatches, string.Join("\n", mismatches.Take(20)) + $"\n({mismatches.Count} in all)");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, TinyBert.Layers).Select(l => $"bert.encoder.layer.{l}.attention.self.key.bias").ToArray(),
                unmoved.ToArray(), "only the key biases have no gradient");
            Assert.IsGreaterThan(5e-3, moved, "the steps moved the weights, so the comparison means something");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IDataView KeyedLabels(MLContext ml, string[] classes)
    {
        var data = ml.Data.LoadFromEnumerable(classes.Select(c => new LabelRow { Label = c }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);
    }

    private static Dictionary<string, (long[] Shape, float[] Values)> Parameters(torch.nn.Module model)
        => model.named_parameters().ToDictionary(p => p.name, p => (p.parameter.shape, p.parameter.detach().contiguous().data<float>().ToArray()));

    private static double[] Numbers(IEnumerable<JsonNode?> values) => values.Select(v => v!.GetValue<double>()).ToArray();

    // Doubles of the float32 values, written in full, so the reference reads exactly these numbers.
    private static JsonArray Floats(float[] values) => new(values.Select(v => (JsonNode)(double)v).ToArray());

    private sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }
}
