using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using TorchSharp;
using static PackageConsumer.PackageContents;

namespace PackageConsumer;

/// <summary>One small, real pipeline per capability, sized to run in seconds on two cores.</summary>
internal static class Pipelines
{
    public static void TorchComputes()
    {
        using var product = torch.ones(64, 64).matmul(torch.ones(64, 64));
        var sum = product.sum().item<float>();
        Require(sum == 64f * 64 * 64, $"a 64x64 matrix product of ones sums to {sum}, not {64 * 64 * 64}");
        Console.WriteLine($"        TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads: {torch.get_num_threads()}");
    }

    public static void AttentionPooling()
    {
        var ml = new MLContext(seed: 1);
        var rows = Data.Sequences(300, seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionPooling(new AttentionPoolingEstimator.Options
            {
                InputColumnName = "Sequence", OutputColumnName = "Pooled", VectorSize = Data.SequenceVectorSize,
                LabelColumnName = "Label", WeightsColumnName = "Weights", NumberOfEpochs = 5, AttentionSize = 16,
            }))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var weights = Columns.Read(scored, "Weights");
        for (int i = 0; i < rows.Count; i++)
        {
            Require(weights[i].Length == rows[i].Sequence.Length / Data.SequenceVectorSize, $"row {i}: {weights[i].Length} weights for {rows[i].Sequence.Length / Data.SequenceVectorSize} positions");
            Require(Math.Abs(weights[i].Sum() - 1) < 1e-4, $"row {i}: the attention weights sum to {weights[i].Sum()}");
        }
        ReportAccuracy(ml, scored);
        RoundTrip.Check<SequenceRow, PooledPrediction>(ml, model, rows, new[] { "Pooled", "Weights", "Score" }, "Score", p => p.Score);
    }

    public static void HierarchicalAttention()
    {
        var ml = new MLContext(seed: 2);
        var rows = Data.Documents(48, seed: 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options
            {
                LabelColumnName = "Label", TextColumnName = "Text", SentenceWeightsColumnName = "SentenceWeights",
                EmbeddingSize = 16, WordHiddenSize = 8, SentenceHiddenSize = 8, AttentionSize = 8,
                MinimumWordCount = 1, BatchSize = 16, NumberOfEpochs = 1, ValidationFraction = 0,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var scores = Columns.Read(scored, "Score");
        var sentenceWeights = Columns.Read(scored, "SentenceWeights");
        for (int i = 0; i < rows.Count; i++)
        {
            Require(scores[i].Length == Data.Topics.Length && scores[i].All(p => p >= 0 && p <= 1) && Math.Abs(scores[i].Sum() - 1) < 1e-4,
                $"document {i}: the class probabilities are [{string.Join(", ", scores[i])}]");
            Require(Math.Abs(sentenceWeights[i].Sum() - 1) < 1e-4, $"document {i}: the sentence weights sum to {sentenceWeights[i].Sum()}");
        }
        var predicted = ml.Data.CreateEnumerable<DocumentPrediction>(scored, reuseRowObject: false).Select(p => p.PredictedLabel).ToList();
        Require(predicted.All(Data.Topics.Contains), "a predicted label is not one of the training labels");
        RoundTrip.Check<DocumentRow, DocumentPrediction>(ml, model, rows, new[] { "Score", "SentenceWeights" }, "Score", p => p.Score);
    }

    public static void SelfAttentionFeaturizer()
    {
        var ml = new MLContext(seed: 3);
        var rows = Data.Documents(64, seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(new SelfAttentionFeaturizingEstimator.Options
            {
                InputColumnName = "Text", OutputColumnName = "Embedding", LabelColumnName = "Label",
                Width = 16, NumberOfHeads = 2, NumberOfLayers = 1, FeedForwardSize = 32, MaximumTokens = 48,
                MinimumWordCount = 1, BatchSize = 16, NumberOfEpochs = 1, ValidationFraction = 0,
            }))
            .Append(ml.Transforms.Concatenate("Features", "Embedding"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var embeddings = Columns.Read(scored, "Embedding");
        Require(embeddings.All(e => e.Length == 16), "an embedding does not have the encoder's width of 16");
        Require(embeddings.Select(e => string.Join(",", e)).Distinct().Count() > 1, "every text got the same embedding");
        ReportAccuracy(ml, scored);
        RoundTrip.Check<DocumentRow, FeaturizedPrediction>(ml, model, rows, new[] { "Embedding", "Score" }, "Embedding", p => p.Embedding);
    }

    /// <summary>Printed, not required: one short run on a tiny set says little about learning, which the library's tests cover.</summary>
    private static void ReportAccuracy(MLContext ml, IDataView scored)
        => Console.WriteLine($"        training-set accuracy {ml.MulticlassClassification.Evaluate(scored).MicroAccuracy:P0}");
}

internal sealed class PooledPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();
}

internal sealed class DocumentPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabel { get; set; } = "";
}

internal sealed class FeaturizedPrediction
{
    public float[] Embedding { get; set; } = Array.Empty<float>();
}

/// <summary>Save, load in a new MLContext, and compare: what every application that ships a model does.</summary>
internal static class RoundTrip
{
    /// <summary>
    /// Checks every column in <paramref name="columns"/> through Transform, and <paramref name="engineColumn"/>,
    /// read by <paramref name="engineOutput"/>, through PredictionEngine.
    /// </summary>
    public static void Check<TRow, TPrediction>(MLContext ml, ITransformer model, IReadOnlyList<TRow> rows, string[] columns,
        string engineColumn, Func<TPrediction, float[]> engineOutput)
        where TRow : class where TPrediction : class, new()
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var path = Path.Combine(Path.GetTempPath(), $"package-consumer-{Environment.ProcessId}-{typeof(TPrediction).Name}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.Load(path, out _);
            var before = model.Transform(data);
            var after = loaded.Transform(fresh.Data.LoadFromEnumerable(rows));
            foreach (var column in columns)
            {
                var expected = Columns.Read(before, column);
                var actual = Columns.Read(after, column);
                Require(expected.All(v => v.All(float.IsFinite)), $"{column} holds a value that is not finite");
                for (int i = 0; i < expected.Count; i++)
                    Require(Columns.BitwiseEqual(expected[i], actual[i]), $"row {i}: the loaded model's {column} differs from the trained model's");
            }

            var batch = Columns.Read(before, engineColumn);
            using var original = ml.Model.CreatePredictionEngine<TRow, TPrediction>(model);
            using var reloaded = fresh.Model.CreatePredictionEngine<TRow, TPrediction>(loaded);
            for (int i = 0; i < rows.Count; i++)
            {
                var a = engineOutput(original.Predict(rows[i]));
                var b = engineOutput(reloaded.Predict(rows[i]));
                Require(Columns.BitwiseEqual(a, b), $"row {i}: the loaded model's PredictionEngine differs from the trained model's");
                // One row at a time runs other batch shapes than Transform, so the last bits may differ.
                Require(a.Length == batch[i].Length && a.Zip(batch[i]).All(p => Math.Abs(p.First - p.Second) <= 1e-4f * (1 + Math.Abs(p.Second))),
                    $"row {i}: PredictionEngine gives [{string.Join(", ", a)}], Transform [{string.Join(", ", batch[i])}]");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}

internal static class Columns
{
    public static List<float[]> Read(IDataView view, string name)
    {
        var column = view.Schema[name];
        using var cursor = view.GetRowCursor(new[] { column });
        var result = new List<float[]>();
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                result.Add(buffer.DenseValues().ToArray());
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                result.Add(new[] { value });
            }
        }
        return result;
    }

    public static bool BitwiseEqual(float[] a, float[] b)
        => a.Length == b.Length && a.Zip(b).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
}
