using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>Mistakes a new user makes must end in a message of ours that names the column, row, entry or file.</summary>
[TestClass]
public sealed class NewUserErrorTests
{
    private static IEstimator<ITransformer> PoolingPipeline(MLContext ml)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(PoolingBehaviourTests.Fast()))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));

    [TestMethod]
    public void SupervisedPoolingOnOnlyEmptySequencesIsAnErrorNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 50).Select(i => new SequenceRow { Sequence = Array.Empty<float>(), Label = i % 2 == 0 ? "yes" : "no" });
        var data = ml.Data.LoadFromEnumerable(rows);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => PoolingPipeline(ml).Fit(data));
        StringAssert.Contains(error.Message, "No row of 'Sequence' has a non-empty sequence to learn from");

        // One non-empty sequence is enough to train on.
        var oneRow = rows.Append(new SequenceRow { Sequence = new float[] { 1, 2 }, Label = "yes" });
        Assert.IsNotNull(PoolingPipeline(ml).Fit(ml.Data.LoadFromEnumerable(oneRow)));
    }

    [TestMethod]
    public void ANaNAtScoringIsLoggedFirstAndIsTheInnermostErrorThroughMLNetsWorkers()
    {
        var ml = new MLContext(seed: 1);
        var errors = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Runtime.ChannelMessageKind.Error)
                lock (errors) errors.Add(e.RawMessage);
        };
        var rows = SequenceData.Generate(400, vectorSize: 2, seed: 3);
        var model = PoolingPipeline(ml).Fit(ml.Data.LoadFromEnumerable(rows));

        var bad = SequenceData.Generate(400, vectorSize: 2, seed: 4);
        bad[300].Sequence[1] = float.NaN;
        var scored = model.Transform(ml.Data.LoadFromEnumerable(bad));
        const string Ours = "Column 'Sequence', row 300: value 1 is NaN";

        // Read through the normalizer and SDCA's scorer, whose cursors ML.NET splits across its worker threads.
        var read = Assert.Throws<Exception>(() => ColumnAssert.Vectors(scored, "Score"));
        StringAssert.StartsWith(read.GetBaseException().Message, Ours, read.ToString());
        Assert.IsNotEmpty(errors, "the error must be logged");
        StringAssert.StartsWith(errors[0], Ours, "the first error logged is ours");

        var evaluate = Assert.Throws<Exception>(() => ml.MulticlassClassification.Evaluate(scored));
        StringAssert.StartsWith(evaluate.GetBaseException().Message, Ours, evaluate.ToString());

        // Read directly, and through a PredictionEngine, no ML.NET layer is in between: ours is the only message.
        var direct = Assert.ThrowsExactly<InvalidOperationException>(() => ColumnAssert.Vectors(scored, "Pooled"));
        StringAssert.StartsWith(direct.Message, Ours);
        Assert.HasCount(rows.Count, ColumnAssert.Vectors(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score"), "finite rows still score");
    }

    [TestMethod]
    public void ALoadedModelWithoutItsWeightsEntryNamesTheEntryAndTheFileInnermost()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceData.Generate(100, vectorSize: 2, seed: 3));
        var model = PoolingPipeline(ml).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"ml-attention-missing-weights-{Environment.ProcessId}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            string removed;
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.FullName.Contains("PoolingModule", StringComparison.Ordinal));
                removed = entry.FullName;
                entry.Delete();
            }

            var error = Assert.Throws<Exception>(() => new MLContext(seed: 2).Model.Load(path, out _));
            var chain = new List<Exception>();
            for (var e = error; e != null; e = e.InnerException)
                chain.Add(e);
            var innermost = chain[^1];
            Assert.IsInstanceOfType<InvalidDataException>(innermost, string.Join("\n -> ", chain.Select(e => e.GetType().Name + ": " + e.Message)));
            StringAssert.Contains(innermost.Message, removed);
            StringAssert.Contains(innermost.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
