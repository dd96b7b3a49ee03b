using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// Fits running at once in one process (a parallel hyper-parameter sweep) with one seed give the models that the same
/// fits give one after another, bit for bit: every random draw of a fit (initialization, dropout, attention dropout
/// inside the fused kernel, Gumbel noise, masked tokens, batch order) comes from the fit's own generator.
/// </summary>
[TestClass]
public sealed class ConcurrentFitTests
{
    private const int Fits = 4;

    [TestMethod]
    [DataRow("pooling, hard attention")]
    [DataRow("HAN, dropout")]
    [DataRow("featurizer from scratch, supervised, dropout")]
    [DataRow("featurizer from scratch, masked tokens, dropout")]
    [DataRow("pretrained encoder fine-tuned, dropout")]
    public void ParallelFitsWithOneSeedEqualSequentialFits(string component)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"concurrent-fits-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var fit = Fit(component, folder);
            var sequential = Enumerable.Range(0, Fits).Select(_ => fit()).ToList();
            var parallel = new Dictionary<string, byte[]>[Fits];
            var failures = new Exception?[Fits];
            using var start = new Barrier(Fits);
            var threads = Enumerable.Range(0, Fits).Select(i => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    parallel[i] = fit();
                }
                catch (Exception e)
                {
                    failures[i] = e;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.IsTrue(failures.All(f => f is null), string.Join("\n", failures.OfType<Exception>()));

            foreach (var (model, k) in sequential.Skip(1).Select((m, k) => (m, k + 1)))
                AssertSameModel(sequential[0], model, $"sequential fit {k}");
            foreach (var (model, k) in parallel.Select((m, k) => (m, k)))
                AssertSameModel(sequential[0], model, $"parallel fit {k}");
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    // A fit of the component on tiny data, from a new MLContext with one seed; returns the saved model's entries.
    private static Func<Dictionary<string, byte[]>> Fit(string component, string folder)
    {
        switch (component)
        {
            case "pooling, hard attention":
            {
                var rows = SequenceData.Generate(64, 4, seed: 3);
                return () => Saved(rows, ml => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
                {
                    InputColumnName = "Sequence", LabelColumnName = "Label", VectorSize = 4, NumberOfEpochs = 3, BatchSize = 16,
                    Distribution = AttentionDistributionKind.Hard,
                })));
            }
            case "HAN, dropout":
            {
                var rows = SyntheticDocuments.Generate(48, seed: 3);
                var options = HanTestSettings.Small(epochs: 2);
                options.Dropout = 0.3;
                options.BatchSize = 16;
                return () => Saved(rows, ml => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)));
            }
            case "featurizer from scratch, supervised, dropout":
            case "featurizer from scratch, masked tokens, dropout":
            {
                var rows = OrderTask.Generate(48, seed: 3);
                var options = FeaturizerTestSettings.Small(component.Contains("supervised") ? "Label" : null, epochs: 2);
                options.Dropout = 0.3;
                options.BatchSize = 16;
                return () => Saved(rows, ml => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.SelfAttentionFeaturize(options)));
            }
            case "pretrained encoder fine-tuned, dropout":
            {
                RandomBert.Write(folder, dropout: 0.3);
                var rows = OrderTask.Generate(32, seed: 3);
                var options = PretrainedEncoderTests.FineTuning(folder, epochs: 2);
                return () => Saved(rows, ml => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.ApplyPretrainedEncoder(options)));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(component), component, "no such component");
        }
    }

    private static Dictionary<string, byte[]> Saved<TRow>(IEnumerable<TRow> rows, Func<MLContext, IEstimator<ITransformer>> pipeline) where TRow : class
    {
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = pipeline(ml).Fit(data);
        var entries = ModelZip.Entries(ModelZip.Save(ml, model, data));
        (model as IDisposable)?.Dispose();
        return entries;
    }

    private static void AssertSameModel(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string which)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList(), $"{which}: the model's entries");
        foreach (var (name, bytes) in expected)
            Assert.IsTrue(bytes.AsSpan().SequenceEqual(actual[name]), $"{which}: entry '{name}' differs from the first sequential fit's");
    }
}
