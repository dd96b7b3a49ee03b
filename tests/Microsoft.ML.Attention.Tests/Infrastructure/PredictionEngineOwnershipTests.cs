using System;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// ML.NET's PredictionEngine disposes the model it was created from when the engine is disposed, unless told it does
/// not own it. Most of ML.NET's transformers are not disposable, so code that creates an engine per request works with
/// them; with ours the model's native memory goes with the first engine, and the error must say why and what to do.
/// </summary>
[TestClass]
public sealed class PredictionEngineOwnershipTests
{
    [TestMethod]
    public void AModelUsedAfterItsEngineDisposedItSaysWhyAndHowToKeepIt()
    {
        var ml = new MLContext(seed: 3);
        var rows = SyntheticDocuments.Generate(60, seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(HanTestSettings.Small(epochs: 1)))
            .Fit(data);

        var expected = ColumnAssert.Vectors(model.Transform(data), "Score");
        for (int round = 0; round < 2; round++)
        {
            using var kept = ml.Model.CreatePredictionEngine<DocumentRow, ScoreOnly>(model, new PredictionEngineOptions { OwnsTransformer = false });
            FloatAssert.AreClose(expected[0], kept.Predict(rows[0]).Score, $"engine {round} not owning the model", 1e-4);
        }
        FloatAssert.AreClose(expected[1], ColumnAssert.Vectors(model.Transform(data), "Score")[1], "the model still scores", 1e-6);

        using (var owning = ml.Model.CreatePredictionEngine<DocumentRow, ScoreOnly>(model))
            owning.Predict(rows[0]);
        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
        StringAssert.Contains(error.Message, "HierarchicalAttentionTransformer");
        StringAssert.Contains(error.Message, "OwnsTransformer = false");
    }

    private sealed class ScoreOnly
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
