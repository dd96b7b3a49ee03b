using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// A pipeline of attention pooling, Concatenate, a normalizer and SDCA, exported with <c>ConvertToOnnx</c> and run in
/// ONNX Runtime, scores as our <c>Transform</c> does (1e-4, max abs) for each exportable option combination: row by row
/// (each row its own length, empty rows included) and as one batch padded with NaN.
/// </summary>
[TestClass]
public sealed class PoolingExportTests
{
    private const int VectorSize = 4;

    public sealed class TrainingRow
    {
        public float[] Sequence { get; set; } = Array.Empty<float>();

        [VectorType(VectorSize)]
        public float[] Query { get; set; } = Array.Empty<float>();

        [KeyType(2)]
        public uint Label { get; set; }
    }

    public sealed class ScoringRow
    {
        public float[] Sequence { get; set; } = Array.Empty<float>();

        [VectorType(VectorSize)]
        public float[] Query { get; set; } = Array.Empty<float>();
    }

    // Each combination changes the defaults of Options(): Location score, soft attention, one head, no query.
    internal static readonly Dictionary<string, Action<AttentionPoolingEstimator.Options>> Combinations = new()
    {
        ["Location, Soft"] = o => { },
        ["Location, Soft, 3 heads, projection"] = o => { o.NumberOfHeads = 3; o.OutputSize = 3; },
        ["Mlp, Hard"] = o => { o.ScoreFunction = AttentionScoreFunction.Mlp; o.Distribution = AttentionDistributionKind.Hard; },
        ["Location, LocalPredictive"] = o => { o.Distribution = AttentionDistributionKind.LocalPredictive; o.LocalHalfWidth = 1; },
        ["Mlp, Soft, query"] = o => { o.ScoreFunction = AttentionScoreFunction.Mlp; o.QueryColumnName = "Query"; },
        ["Dot, Soft, query, non-finite masked"] = o => { o.ScoreFunction = AttentionScoreFunction.Dot; o.QueryColumnName = "Query"; o.NonFiniteValues = NonFiniteValueHandling.MaskPosition; },
        ["ScaledDot, Hard, query"] = o => { o.ScoreFunction = AttentionScoreFunction.ScaledDot; o.Distribution = AttentionDistributionKind.Hard; o.QueryColumnName = "Query"; },
        ["Cosine, LocalPredictive, query"] = o => { o.ScoreFunction = AttentionScoreFunction.Cosine; o.Distribution = AttentionDistributionKind.LocalPredictive; o.QueryColumnName = "Query"; },
        ["General, Soft, query, 2 heads"] = o => { o.ScoreFunction = AttentionScoreFunction.General; o.QueryColumnName = "Query"; o.NumberOfHeads = 2; },
        ["Additive, Soft, query"] = o => { o.ScoreFunction = AttentionScoreFunction.Additive; o.QueryColumnName = "Query"; },
        ["Mean, non-finite masked"] = o => { o.Mode = PoolingMode.Mean; o.NonFiniteValues = NonFiniteValueHandling.MaskPosition; },
        ["Max, projection"] = o => { o.Mode = PoolingMode.Max; o.OutputSize = 3; o.WeightsColumnName = null; },
    };

    [TestMethod]
    [DataRow("Location, Soft")]
    [DataRow("Location, Soft, 3 heads, projection")]
    [DataRow("Mlp, Hard")]
    [DataRow("Location, LocalPredictive")]
    [DataRow("Mlp, Soft, query")]
    [DataRow("Dot, Soft, query, non-finite masked")]
    [DataRow("ScaledDot, Hard, query")]
    [DataRow("Cosine, LocalPredictive, query")]
    [DataRow("General, Soft, query, 2 heads")]
    [DataRow("Additive, Soft, query")]
    [DataRow("Mean, non-finite masked")]
    [DataRow("Max, projection")]
    public void ExportedPipelineScoresAsTransformDoes(string combination)
    {
        var options = Options(combination);
        var ml = new MLContext(seed: 3);
        var rows = Rows(64, seed: 5, withNonFinite: options.NonFiniteValues == NonFiniteValueHandling.MaskPosition);
        var model = Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows));
        var scoring = Scoring(ml, rows);

        var columns = new List<string> { "Pooled", "Features", "Score" };
        if (options.WeightsColumnName != null)
            columns.Add("Weights");
        var transformed = model.Transform(scoring);
        var expected = columns.ToDictionary(c => c, c => ColumnAssert.Vectors(transformed, c));
        var expectedLabels = transformed.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.IsTrue(expected["Pooled"].Any(v => v.Any(x => x != 0)), "the pooling produced something to compare");

        using var exported = new ExportedModel(ml, model, scoring);
        for (int i = 0; i < rows.Count; i++)
        {
            var inputs = Inputs(new[] { rows[i] }, pad: false);
            var outputs = exported.RunFloats(inputs, columns.ToArray());
            foreach (var column in columns)
                ExportAssert.AreClose(expected[column][i], ExportedModel.Row(outputs[column], 0), $"{combination}: {column}, row {i} alone ({rows[i].Sequence.Length / VectorSize} positions)");
            Assert.AreEqual(expectedLabels[i], exported.RunKeys(inputs, "PredictedLabel")[0], $"{combination}: PredictedLabel, row {i}");
        }

        // One batch of rows of different lengths, padded with NaN to the longest: the graph masks the padding.
        var batch = Inputs(rows, pad: true);
        var batchOutputs = exported.RunFloats(batch, columns.ToArray());
        for (int i = 0; i < rows.Count; i++)
        {
            foreach (var column in columns.Where(c => c != "Weights"))
                ExportAssert.AreClose(expected[column][i], ExportedModel.Row(batchOutputs[column], i), $"{combination}: {column}, row {i} in a padded batch");
            if (options.WeightsColumnName == null)
                continue;
            var weights = ExportedModel.Row(batchOutputs["Weights"], i);
            int length = expected["Weights"][i].Length;
            ExportAssert.AreClose(expected["Weights"][i], weights[..length], $"{combination}: Weights, row {i} in a padded batch");
            Assert.IsTrue(weights[length..].All(w => w == 0), $"{combination}: row {i}'s padding has weight 0");
        }
        CollectionAssert.AreEqual(expectedLabels, exported.RunKeys(batch, "PredictedLabel"), $"{combination}: PredictedLabel in a padded batch");
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AModelLoadedFromItsZipExportsTheSameScoring()
    {
        var ml = new MLContext(seed: 3);
        var rows = Rows(32, seed: 8, withNonFinite: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = Pipeline(ml, Options("Additive, Soft, query")).Fit(data);
        var scoring = Scoring(ml, rows);
        var expected = ColumnAssert.Vectors(model.Transform(scoring), "Score");
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        (model as IDisposable)?.Dispose();

        zip.Position = 0;
        var fresh = new MLContext(seed: 11);
        var loaded = fresh.Model.Load(zip, out _);
        using var exported = new ExportedModel(fresh, loaded, Scoring(fresh, rows));
        var scores = exported.RunFloats(Inputs(rows, pad: true), "Score")["Score"];
        for (int i = 0; i < rows.Count; i++)
            ExportAssert.AreClose(expected[i], ExportedModel.Row(scores, i), $"Score, row {i}, exported after loading");
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AnOpsetBelowElevenIsRefusedNamingTheComponent()
    {
        var ml = new MLContext(seed: 3);
        var rows = Rows(32, seed: 6, withNonFinite: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var model = ml.Transforms.AttentionPooling(Options("Location, Soft")).Fit(data);
        using var stream = new MemoryStream();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.ConvertToOnnx(model, data, 10, stream));
        StringAssert.Contains(error.Message, "AttentionPoolingTransformer");
        StringAssert.Contains(error.Message, "11");
    }

    internal static AttentionPoolingEstimator.Options Options(string combination)
    {
        var options = new AttentionPoolingEstimator.Options
        {
            InputColumnName = "Sequence",
            OutputColumnName = "Pooled",
            WeightsColumnName = "Weights",
            LabelColumnName = "Label",
            VectorSize = VectorSize,
            AttentionSize = 8,
            NumberOfEpochs = 3,
            BatchSize = 16,
        };
        Combinations[combination](options);
        return options;
    }

    internal static IEstimator<ITransformer> Pipeline(MLContext ml, AttentionPoolingEstimator.Options options)
        => ml.Transforms.AttentionPooling(options)
            .Append(ml.Transforms.Concatenate("Features", "Pooled"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 5));

    // SequenceData's rows (the label at a random position), of 0 to 6 positions, with a query per row; with
    // withNonFinite, every fifth row of two or more positions has a NaN and an infinity at its second position.
    internal static List<TrainingRow> Rows(int count, int seed, bool withNonFinite)
    {
        var random = new Random(seed);
        return SequenceData.Generate(count, VectorSize, seed, minLength: 0, maxLength: 6).Select((row, i) =>
        {
            var sequence = row.Sequence;
            if (withNonFinite && i % 5 == 0 && sequence.Length >= 2 * VectorSize)
            {
                sequence[VectorSize] = float.NaN;
                sequence[VectorSize + 2] = float.PositiveInfinity;
            }
            var query = Enumerable.Range(0, VectorSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new TrainingRow { Sequence = sequence, Query = query, Label = row.Label == "yes" ? 2u : 1u };
        }).ToList();
    }

    // The rows without their label: what the exported graph takes.
    private static IDataView Scoring(MLContext ml, IEnumerable<TrainingRow> rows)
        => ml.Data.LoadFromEnumerable(rows.Select(r => new ScoringRow { Sequence = r.Sequence, Query = r.Query }));

    private static Dictionary<string, float[][]> Inputs(IReadOnlyList<TrainingRow> rows, bool pad)
    {
        int longest = rows.Max(r => r.Sequence.Length);
        // The query is an input of the graph whether or not the pooling reads it: ML.NET declares every input column.
        return new Dictionary<string, float[][]>
        {
            ["Sequence"] = rows.Select(r => pad ? r.Sequence.Concat(Enumerable.Repeat(float.NaN, longest - r.Sequence.Length)).ToArray() : r.Sequence).ToArray(),
            ["Query"] = rows.Select(r => r.Query).ToArray(),
        };
    }
}
