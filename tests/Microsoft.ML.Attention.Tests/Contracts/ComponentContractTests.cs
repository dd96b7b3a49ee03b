using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Contracts;

/// <summary>
/// What every component promises as an ML.NET transformer, one case per component (factories in
/// <see cref="ComponentFactories"/>): save and load, here and in a fresh process; cancellation during training; seed
/// determinism; PredictionEngine equal to Transform; concurrent PredictionEngines; empty inputs; no tensor left by scoring
/// and weights released by Dispose; schema errors naming the column. Outputs are compared bit for bit (same machine, same
/// threads), except a row scored within a padded batch against the same row scored alone. Concurrent fits are checked in
/// Infrastructure/ConcurrentFitTests.
/// </summary>
[TestClass]
public sealed class ComponentContractTests
{
    // One model per component for the contracts that only score (fitted with this seed); the rest fit their own.
    private const int Seed = 7;
    private static readonly Dictionary<string, (MLContext Ml, ITransformer Model)> Fitted = new();

    [ClassCleanup]
    public static void Cleanup()
    {
        foreach (var (_, model) in Fitted.Values)
            ContractOutputs.Dispose(model);
        Fitted.Clear();
        ComponentFactories.Cleanup();
    }

    /// <summary>Every component, one test case each.</summary>
    public static IEnumerable<object[]> Components => ComponentFactories.All.Select(name => new object[] { name });

    private static (ComponentCase Case, MLContext Ml, ITransformer Model) FittedOnce(string component)
    {
        var c = ComponentFactories.Get(component);
        if (!Fitted.TryGetValue(component, out var fitted))
        {
            var ml = new MLContext(seed: Seed);
            Fitted[component] = fitted = (ml, c.Fit(ml));
        }
        return (c, fitted.Ml, fitted.Model);
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void SavedAndLoadedModelHasTheSameSchemaAndOutputs(string component)
    {
        var (c, ml, model) = FittedOnce(component);
        var data = c.ScoringData(ml);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 99);
        var loaded = fresh.Model.Load(stream, out var savedInput);
        try
        {
            ContractOutputs.AssertSameSchema(data.Schema, savedInput, $"{c}: the saved input schema");
            var before = model.Transform(data);
            var after = loaded.Transform(c.ScoringData(fresh));
            ContractOutputs.AssertSameSchema(before.Schema, after.Schema, $"{c}: the output schema after loading");
            foreach (var column in c.OutputColumns)
                ContractOutputs.AreEqual(ScoreDump.Read(before, column), ScoreDump.Read(after, column), $"{c}: {column} after loading");
        }
        finally
        {
            ContractOutputs.Dispose(loaded);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void ASavedModelScoresIdenticallyInAFreshProcess(string component)
    {
        // Loaded as an application loads it: another process, no registration call, nothing cached here. Same machine
        // and libtorch thread count on both sides, so every output column is compared bit for bit.
        var (c, ml, model) = FittedOnce(component);
        c.AssertScoresIdenticallyInAFreshProcess(ml, model, c.ScoringData(ml));
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void CancellingTheContextInTheMiddleOfEpochTwoStopsFitAtOnce(string component)
    {
        const int epochs = 3;
        var c = ComponentFactories.Get(component);
        var ml = new MLContext(seed: Seed);
        var canceller = new Canceller(ml);
        if (!c.Trains)
        {
            // Nothing to cancel: a frozen encoder runs no epoch, so it reports no progress and its Fit ends normally.
            ContractOutputs.Dispose(c.Fit(ml, epochs, canceller.OnProgress));
            Assert.IsEmpty(canceller.Reports, $"{c}: progress reports of a fit that trains nothing");
            return;
        }
        Assert.Throws<OperationCanceledException>(() => c.Fit(ml, epochs, canceller.OnProgress), $"{c}: Fit after the cancellation");
        Assert.IsNotNull(canceller.CancelledAt, $"{c}: the callback was reached in epoch 2");
        Assert.IsLessThan(canceller.CancelledAt.Batches, canceller.CancelledAt.Batch, $"{c}: cancelled in the middle of the epoch, not at its end");
        Assert.AreEqual(0, canceller.ReportsAfterCancel, $"{c}: no batch ran after the cancellation");
        Assert.AreEqual(2, canceller.Reports.Max(r => r.Epoch), $"{c}: no epoch after the second of {epochs}");
        // Time left: the rest of the planned epochs at the pace so far, so positive before the end. Its size is a timing
        // and is not compared: on a loaded machine later batches' pace differs from the first's by any factor.
        Assert.IsTrue(canceller.Reports.All(r => r.TimeLeft > TimeSpan.Zero), $"{c}: time left before the last epoch ended");
    }

    /// <summary>Progress reports seen, and a callback that cancels the context after the first batch of epoch 2.</summary>
    private sealed class Canceller
    {
        private readonly MLContext _ml;

        public Canceller(MLContext ml) => _ml = ml;

        public List<TrainingProgress> Reports { get; } = new();

        /// <summary>The report on which the context was cancelled.</summary>
        public TrainingProgress? CancelledAt { get; private set; }

        public int ReportsAfterCancel { get; private set; }

        public void OnProgress(TrainingProgress progress)
        {
            if (CancelledAt != null)
                ReportsAfterCancel++;
            Reports.Add(progress);
            if (progress.Epoch == 2 && progress.Batch == 1 && CancelledAt == null)
            {
                CancelledAt = progress;
                // MLContext.CancelExecution is internal in ML.NET 5 (public through Microsoft.ML.Experimental, not served here).
                typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .Invoke(_ml, null);
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void TheSameSeedFitsTheSameModelAndAnotherSeedAnotherOne(string component)
    {
        var (c, ml, model) = FittedOnce(component);
        var column = c.OutputColumns[0];
        var first = ScoreDump.Read(model.Transform(c.ScoringData(ml)), column);
        Assert.IsGreaterThan(1, first.Distinct().Count(), $"{c}: {column} must differ between rows for the comparison to mean anything");

        List<string> Refit(int seed)
        {
            var other = new MLContext(seed: seed);
            var refitted = c.Fit(other);
            try
            {
                return ScoreDump.Read(refitted.Transform(c.ScoringData(other)), column);
            }
            finally
            {
                ContractOutputs.Dispose(refitted);
            }
        }
        ContractOutputs.AreEqual(first, Refit(Seed), $"{c}: {column} of two fits with seed {Seed}");
        var another = Refit(Seed + 1);
        if (c.Trains)
            Assert.IsFalse(first.SequenceEqual(another), $"{c}: another seed should train another model");
        else
            ContractOutputs.AreEqual(first, another, $"{c}: nothing is trained, so the seed changes nothing");
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void PredictionEngineGivesTransformsOutputs(string component)
    {
        // A row scored alone has the same tensor shapes on both paths: bit for bit. In a batch it is padded to the
        // batch's longest row, and matrix products of other shapes may round differently: close.
        var (c, ml, model) = FittedOnce(component);
        var data = c.ScoringData(ml);
        foreach (var column in c.OutputColumns)
        {
            var engine = c.Predict(ml, model, data, column);
            ContractOutputs.AreEqual(c.TransformEachRow(ml, model, data, column), engine, $"{c}: {column}, each row alone");
            if (model.GetOutputSchema(data.Schema)[column].Type is KeyDataViewType or BooleanDataViewType)
                continue; // a label follows the scores
            var batch = ScoreDump.Read(model.Transform(data), column, c.OutputColumns).Select(ContractOutputs.FromBits).ToList();
            var single = engine.Select(ContractOutputs.FromBits).ToList();
            Assert.HasCount(batch.Count, single);
            for (int i = 0; i < batch.Count; i++)
                FloatAssert.AreClose(batch[i], single[i], $"{c}: {column}, row {i} in a batch and alone", 1e-4);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void ConcurrentPredictionEnginesAgreeWithSequentialScoring(string component)
    {
        var (c, ml, model) = FittedOnce(component);
        var data = c.ScoringData(ml);
        var column = c.OutputColumns[0];
        var expected = c.Predict(ml, model, data, column);
        var results = new List<string>[4];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length },
            worker => results[worker] = c.Predict(ml, model, data, column));
        foreach (var result in results)
            ContractOutputs.AreEqual(expected, result, $"{c}: {column} through PredictionEngines on parallel threads");
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void EmptyAndMissingInputsScore(string component)
    {
        var (c, ml, model) = FittedOnce(component);
        var empty = c.EmptyInputs(ml);
        var scored = model.Transform(empty);
        foreach (var column in c.OutputColumns)
        {
            var values = ContractOutputs.Floats(scored, column);
            Assert.IsNotEmpty(values, $"{c}: {column}");
            Assert.IsTrue(values.All(v => v.All(float.IsFinite)), $"{c}: {column} of an empty input is finite");
            // Each row alone: a batch of several rows may round differently (see PredictionEngineGivesTransformsOutputs).
            ContractOutputs.AreEqual(c.TransformEachRow(ml, model, empty, column), c.Predict(ml, model, empty, column), $"{c}: {column} through a PredictionEngine");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void ScoringLeavesNoTensorsAndDisposeReleasesTheModel(string component)
    {
        var c = ComponentFactories.Get(component);
        var ml = new MLContext(seed: Seed);
        var model = c.Fit(ml);
        var modules = ContractOutputs.Components(model).SelectMany(ContractOutputs.Modules).ToList();
        var tensors = modules.SelectMany(m => m.parameters().Concat(m.buffers())).ToList();
        try
        {
            // Off, so that every pass scores (a pass over the view read last would be served from the cache).
            foreach (var transformer in ContractOutputs.Components(model))
                transformer.OutputCacheMegabytes = 0;
            var many = c.ScoringData(ml, copies: 12); // more than one batch of 256 rows
            var few = c.ScoringData(ml);
            LiveTensors.AssertNoGrowth(() =>
            {
                var scored = model.Transform(many);
                foreach (var column in c.OutputColumns)
                    ScoreDump.Read(scored, column);
                c.Predict(ml, model, few, c.OutputColumns[0]);
            }, passes: 1, c.Name);
        }
        finally
        {
            ContractOutputs.Dispose(model);
        }
        // TorchSharp's live-tensor count cannot show this: a Parameter takes over its tensor's native handle, and the
        // emptied tensor stays counted. Every weight's own handle is released instead.
        Assert.IsNotEmpty(tensors, $"{c}: the model's weights");
        Assert.IsTrue(tensors.All(t => t.IsInvalid), $"{c}: {tensors.Count(t => !t.IsInvalid)} of {tensors.Count} weights still hold native memory after Dispose");
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(c.ScoringData(ml)), $"{c}: a disposed model says so");
    }

    [TestMethod]
    [DynamicData(nameof(Components))]
    public void AMissingInputColumnIsNamedByGetOutputSchema(string component)
    {
        var (c, ml, model) = FittedOnce(component);
        var training = c.TrainingData(ml);
        var prepared = c.Prepare(ml)?.Fit(training).Transform(training) ?? training;
        var without = ml.Transforms.DropColumns(c.InputColumn).Fit(prepared).Transform(prepared).Schema;
        Assert.IsFalse(without.GetColumnOrNull(c.InputColumn).HasValue);

        var estimator = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => c.Component(ml).GetOutputSchema(ContractOutputs.ShapeOf(without)));
        StringAssert.Contains(estimator.Message, $"'{c.InputColumn}'", $"{c}: the estimator's error");
        var transformer = ContractOutputs.Components(model).Single();
        var fitted = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(without));
        StringAssert.Contains(fitted.Message, $"'{c.InputColumn}'", $"{c}: the fitted transformer's error");
    }
}

/// <summary>Reads and compares what the contracts check.</summary>
internal static class ContractOutputs
{
    /// <summary>Every row's floats of a float or float-vector column (a key column's keys as floats).</summary>
    public static List<float[]> Floats(IDataView data, string column)
        => data.Schema[column].Type switch
        {
            VectorDataViewType => ScoreDump.Vectors(data, column),
            KeyDataViewType => ScoreDump.Read(data, column).Select(k => new[] { float.Parse(k, System.Globalization.CultureInfo.InvariantCulture) }).ToList(),
            BooleanDataViewType => ScoreDump.Read(data, column).Select(b => new[] { b == "true" ? 1f : 0f }).ToList(),
            _ => data.GetColumn<float>(column).Select(v => new[] { v }).ToList(),
        };

    /// <summary>Bit-for-bit equality of two columns' rows; the message names the first row that differs.</summary>
    public static void AreEqual(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], $"{what}, row {i}");
    }

    /// <summary>The floats <see cref="ScoreDump.Bits"/> wrote.</summary>
    public static float[] FromBits(string bits)
        => bits.Length == 0 ? Array.Empty<float>() : bits.Split(' ')
            .Select(b => BitConverter.Int32BitsToSingle(int.Parse(b, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    /// <summary>Same column names, types, hidden flags and annotations (names and types), in order.</summary>
    public static void AssertSameSchema(DataViewSchema expected, DataViewSchema actual, string what)
    {
        static string Describe(DataViewSchema.Column c)
            => $"{c.Name} {c.Type} hidden={c.IsHidden} [{string.Join(", ", c.Annotations.Schema.Select(a => $"{a.Name}: {a.Type}"))}]";
        ContractOutputs.AreEqual(expected.Select(Describe).ToList(), actual.Select(Describe).ToList(), what);
    }

    /// <summary>This library's transformers in a fitted model (a chain or one transformer).</summary>
    public static List<AttentionTransformerBase> Components(ITransformer model)
        => (model is IEnumerable<ITransformer> chain ? chain : new[] { model }).OfType<AttentionTransformerBase>().ToList();

    /// <summary>The TorchSharp modules a transformer holds in its fields (its base's included).</summary>
    public static IEnumerable<TorchSharp.torch.nn.Module> Modules(AttentionTransformerBase transformer)
    {
        for (var type = transformer.GetType(); type != null; type = type.BaseType)
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly))
                if (field.GetValue(transformer) is TorchSharp.torch.nn.Module module)
                    yield return module;
    }

    public static void Dispose(ITransformer model)
    {
        foreach (var transformer in Components(model))
            transformer.Dispose();
        (model as IDisposable)?.Dispose();
    }

    // SchemaShape.Create is internal; this is what ML.NET does before an estimator's GetOutputSchema.
    public static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, new object[] { schema })!;
}
