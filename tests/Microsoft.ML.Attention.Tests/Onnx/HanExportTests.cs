using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// A HAN pipeline (MapValueToKey → HAN → MapKeyToValue for multiclass; the HAN alone for a Boolean label), exported
/// with <c>ConvertToOnnx</c> and run in ONNX Runtime on the token ids of <see cref="HanTokenizer"/>: scores,
/// probability, predicted labels, sentence and word weights and sentence lengths equal our <c>Transform</c>'s (1e-4,
/// max abs; labels exactly), for GRU and LSTM encoders, as one padded batch and row by row, empty texts included.
/// </summary>
[TestClass]
public sealed class HanExportTests
{
    private const int MaximumSentences = 4;
    private const int MaximumWords = 9;

    public sealed class TrainingRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        public bool IsFinance { get; set; }
    }

    /// <summary>A row of the data given to ConvertToOnnx: the pipeline's columns and the HAN's token ids.</summary>
    public sealed class ExportRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        public bool IsFinance { get; set; }

        public long[] TextTokenIds { get; set; } = Array.Empty<long>();
    }

    // The LSTM learns the small task more slowly than the GRU: a higher rate makes it predict several classes in a few epochs.
    internal static readonly Dictionary<string, Action<HierarchicalAttentionTrainer.Options>> Combinations = new()
    {
        ["Multiclass, GRU"] = o => { },
        ["Multiclass, LSTM, Mlp score"] = o => { o.Recurrent = RecurrentKind.Lstm; o.LearningRate = 0.03; o.ScoreFunction = AttentionScoreFunction.Mlp; },
        ["Binary, GRU, temperature"] = o => { o.ScaleTemperature = true; o.ValidationFraction = 0.2; },
        ["Binary, LSTM"] = o => { o.Recurrent = RecurrentKind.Lstm; o.LearningRate = 0.02; },
    };

    [TestMethod]
    [DataRow("Multiclass, GRU")]
    [DataRow("Multiclass, LSTM, Mlp score")]
    [DataRow("Binary, GRU, temperature")]
    [DataRow("Binary, LSTM")]
    public void ExportedHanScoresAsTransformDoes(string combination)
    {
        bool binary = combination.StartsWith("Binary", StringComparison.Ordinal);
        var ml = new MLContext(seed: 4);
        var training = ml.Data.LoadFromEnumerable(Documents(96, seed: 2));
        var model = Pipeline(ml, combination).Fit(training);
        var han = Han(model);
        var rows = ExportRows(han.GetTokenizer(), Documents(12, seed: 9).Concat(SpecialDocuments()).ToList());
        var scoring = ml.Data.LoadFromEnumerable(rows);

        var transformed = model.Transform(scoring);
        var weightColumns = new[] { "SentenceWeights", "WordWeights", "WordWeightsSentenceLengths" };
        var expected = weightColumns.ToDictionary(c => c, c => ColumnAssert.Vectors(transformed, c));
        var floats = binary ? new[] { "Score", "Probability" } : new[] { "Score" };
        foreach (var column in floats)
            expected[column] = binary ? transformed.GetColumn<float>(column).Select(v => new[] { v }).ToList() : ColumnAssert.Vectors(transformed, column);
        var labels = binary
            ? transformed.GetColumn<bool>("PredictedLabel").Select(b => b.ToString()).ToArray()
            : transformed.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
        Assert.IsGreaterThan(1, labels.Distinct().Count(), $"{combination}: the network predicts more than one class, so labels are a real check (scores {expected["Score"].Min(v => v.Min())} to {expected["Score"].Max(v => v.Max())})");

        // The GRU combinations export from data that holds the ids column, the LSTM ones from the training data's
        // columns alone: the export declares the ids input itself.
        using var exported = new ExportedModel(ml, model, combination.Contains("GRU", StringComparison.Ordinal) ? scoring : training);
        // One batch, every row padded to the most sentences; then a few rows alone, the empty text among them.
        Check(exported, rows, Enumerable.Range(0, rows.Count).ToArray(), "in a batch");
        foreach (var i in new[] { 0, rows.Count - 4, rows.Count - 1 })
            Check(exported, new[] { rows[i] }, new[] { i }, "alone");
        (model as IDisposable)?.Dispose();

        void Check(ExportedModel graph, IReadOnlyList<ExportRow> batch, int[] indexes, string how)
        {
            using var results = graph.Run(Feeds(batch, binary), floats.Concat(weightColumns).Append("PredictedLabel").ToArray());
            var outputs = results.ToDictionary(r => r.Name[..^".output".Length]);
            for (int k = 0; k < batch.Count; k++)
            {
                int i = indexes[k];
                string message = $"{combination}, row {i} {how} ('{Shorten(rows[i].Text)}')";
                foreach (var column in floats)
                    ExportAssert.AreClose(expected[column][i], ExportedModel.Row(outputs[column].AsTensor<float>(), k), $"{message}: {column}");
                var lengths = expected["WordWeightsSentenceLengths"][i];
                ExportAssert.AreClose(lengths, Sentences(ExportedModel.Row(outputs["WordWeightsSentenceLengths"].AsTensor<float>(), k), lengths.Length), $"{message}: sentence lengths");
                ExportAssert.AreClose(expected["SentenceWeights"][i], Sentences(ExportedModel.Row(outputs["SentenceWeights"].AsTensor<float>(), k), lengths.Length), $"{message}: sentence weights");
                ExportAssert.AreClose(expected["WordWeights"][i], Words(ExportedModel.Row(outputs["WordWeights"].AsTensor<float>(), k), lengths), $"{message}: word weights");
                var predicted = binary ? outputs["PredictedLabel"].AsTensor<bool>().ToArray()[k].ToString() : outputs["PredictedLabel"].AsTensor<string>().ToArray()[k];
                Assert.AreEqual(labels[i], predicted, $"{message}: predicted label");
            }
        }
    }

    [TestMethod]
    public void TheGraphTakesTheTokenIdsBesideThePipelinesInputColumns()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(Documents(32, seed: 2));
        var model = Pipeline(ml, "Multiclass, GRU", epochs: 1).Fit(data);
        Assert.AreEqual("TextTokenIds", Han(model).TokenIdsColumnName);
        using var exported = new ExportedModel(ml, model, data);
        var inputs = exported.Inputs;
        CollectionAssert.AreEquivalent(new[] { "Text", "Label", "IsFinance", "TextTokenIds" }, inputs.Keys.ToArray());
        Assert.AreEqual(typeof(long), inputs["TextTokenIds"].ElementType);
        CollectionAssert.AreEqual(new[] { -1, -1 }, inputs["TextTokenIds"].Dimensions, "[documents, sentences x words], both free");
        (model as IDisposable)?.Dispose();
    }

    internal static IEstimator<ITransformer> Pipeline(MLContext ml, string combination, int epochs = 4)
    {
        var options = HanTestSettings.Small(epochs);
        options.MaximumSentences = MaximumSentences;
        options.MaximumWordsPerSentence = MaximumWords;
        Combinations[combination](options);
        if (combination.StartsWith("Binary", StringComparison.Ordinal))
        {
            options.LabelColumnName = "IsFinance";
            return ml.BinaryClassification.Trainers.HierarchicalAttention(options);
        }
        return ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    internal static HierarchicalAttentionTransformer Han(ITransformer model)
        => model as HierarchicalAttentionTransformer ?? ((IEnumerable<ITransformer>)model).OfType<HierarchicalAttentionTransformer>().Single();

    internal static List<TrainingRow> Documents(int count, int seed) => SyntheticDocuments.Generate(count, seed)
        .Select(d => new TrainingRow { Text = d.Text, Label = d.Label, IsFinance = d.Label is "budget" or "merger" }).ToList();

    // Texts that exercise the front end: empty and blank (no sentences), punctuation only, abbreviations, unknown
    // words, more sentences and longer sentences than the limits.
    internal static IEnumerable<TrainingRow> SpecialDocuments() => new[]
    {
        "Dr. Smith met Mr. Jones at 3.5 p.m. and the board voted to accept the merger!",
        "Zorblax quux frobnicates. The committee decided to approve the budget.",
        string.Join(" ", Enumerable.Repeat("The panel finally approved the hiring.", 7)),
        "the weather was cold in the morning and several people arrived late and the slides had a few typos again",
        "?!",
        "   ",
        "",
    }.Select((text, i) => new TrainingRow { Text = text, Label = SyntheticDocuments.Classes[i % 4], IsFinance = i % 2 == 0 });

    internal static List<ExportRow> ExportRows(HanTokenizer tokenizer, IEnumerable<TrainingRow> rows) => rows.Select(r =>
        new ExportRow { Text = r.Text, Label = r.Label, IsFinance = r.IsFinance, TextTokenIds = tokenizer.TokenIds(r.Text) }).ToList();

    // ONNX Runtime's inputs: every input column of the pipeline, the ids padded with 0 to the batch's most sentences.
    private static List<NamedOnnxValue> Feeds(IReadOnlyList<ExportRow> rows, bool binary)
    {
        int width = rows.Max(r => r.TextTokenIds.Length);
        var ids = rows.SelectMany(r => r.TextTokenIds.Concat(Enumerable.Repeat(0L, width - r.TextTokenIds.Length))).ToArray();
        var feeds = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(rows.Select(r => r.Text).ToArray(), new[] { rows.Count, 1 })),
            NamedOnnxValue.CreateFromTensor("TextTokenIds", new DenseTensor<long>(ids, new[] { rows.Count, width })),
            NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(rows.Select(r => r.Label).ToArray(), new[] { rows.Count, 1 })),
            NamedOnnxValue.CreateFromTensor("IsFinance", new DenseTensor<bool>(rows.Select(r => r.IsFinance).ToArray(), new[] { rows.Count, 1 })),
        };
        return feeds;
    }

    // The first sentences of a [S] output row, which is 0 beyond them.
    internal static float[] Sentences(float[] row, int count)
    {
        Assert.IsTrue(row.Skip(count).All(v => v == 0), "0 after the document's last sentence");
        return row[..count];
    }

    // The real words of a [S x W] output row, sentence after sentence, which is 0 at padding.
    internal static float[] Words(float[] row, float[] sentenceLengths)
    {
        var words = new List<float>();
        for (int s = 0; s < row.Length / MaximumWords; s++)
        {
            int length = s < sentenceLengths.Length ? (int)sentenceLengths[s] : 0;
            words.AddRange(row.Skip(s * MaximumWords).Take(length));
            Assert.IsTrue(row.Skip(s * MaximumWords + length).Take(MaximumWords - length).All(v => v == 0), $"sentence {s}'s padding has weight 0");
        }
        return words.ToArray();
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
