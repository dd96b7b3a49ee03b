// Pools sequences of sensor readings into one vector per sequence and shows where the weight went.
// Each sequence holds 4 to 12 readings of 3 sensors. One reading is a fault: sensor 1 spikes, and the signs
// of sensors 2 and 3 tell which of four kinds of fault it is. The other readings swing on sensors 2 and 3 at
// random, so averaging the sequence or taking its maximum buries the evidence; attention that finds the
// spike does not.
// Run: dotnet run --project samples/SequencePooling
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using TorchSharp;

const int Sensors = 3;
var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(Readings.Generate(2000, seed: 1));
var test = ml.Data.LoadFromEnumerable(Readings.Generate(500, seed: 2));
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads: {torch.get_num_threads()}");

foreach (var mode in new[] { PoolingMode.Mean, PoolingMode.Max, PoolingMode.Attention })
{
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.AttentionPooling("Pooled", "Readings", Sensors, labelColumnName: "Label", weightsColumnName: mode == PoolingMode.Max ? null : "Weights", mode: mode))
        .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
    var model = pipeline.Fit(train);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"{mode,-9} pooling: test accuracy {metrics.MicroAccuracy:P1}");

    if (mode == PoolingMode.Attention)
    {
        var testRows = Readings.Generate(500, seed: 2);
        var weights = ml.Data.CreateEnumerable<Pooled>(model.Transform(test), reuseRowObject: false).ToList();
        var onFault = testRows.Zip(weights).Count(p => Array.IndexOf(p.Second.Weights, p.Second.Weights.Max()) == p.First.FaultAt);
        Console.WriteLine($"The largest weight falls on the faulty reading in {onFault} of {testRows.Count} test sequences.");

        var path = Path.Combine(Path.GetTempPath(), "sequence-pooling-sample.zip");
        ml.Model.Save(model, train.Schema, path);
        var reloaded = new MLContext(seed: 1).Model.Load(path, out _);
        var engine = ml.Model.CreatePredictionEngine<Readings, Pooled>(reloaded);
        var example = Readings.Generate(1, seed: 3)[0];
        var prediction = engine.Predict(example);
        Console.WriteLine($"Reloaded model from {path}; one sequence, fault at reading {example.FaultAt}:");
        for (int t = 0; t < prediction.Weights.Length; t++)
            Console.WriteLine($"  reading {t,2}: weight {prediction.Weights[t]:F3} {new string('#', (int)Math.Round(prediction.Weights[t] * 40))}");
    }
}

/// <summary>One sequence of readings of three sensors, flattened.</summary>
public sealed class Readings
{
    [Microsoft.ML.Data.ColumnName("Readings")]
    public float[] Values { get; set; } = Array.Empty<float>();

    public string Label { get; set; } = "";

    [Microsoft.ML.Data.NoColumn]
    public int FaultAt { get; set; }

    private static readonly string[] Kinds = { "overheating", "undervoltage", "vibration", "leak" };

    public static List<Readings> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<Readings>();
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(4, 13);
            int fault = random.Next(length);
            var values = new float[length * 3];
            for (int j = 0; j < values.Length; j++)
                values[j] = (float)(random.NextDouble() - 0.5);
            int kind = random.Next(Kinds.Length);
            // Sensors 2 and 3 swing to +2.5 or -2.5 at random on every reading; on the faulty reading their
            // signs tell the kind of fault. Alone each other reading says nothing, and together they drown
            // the fault's values in an average or a maximum.
            for (int t = 0; t < length; t++)
            {
                values[t * 3 + 1] = random.Next(2) == 1 ? 2.5f : -2.5f;
                values[t * 3 + 2] = random.Next(2) == 1 ? 2.5f : -2.5f;
            }
            values[fault * 3] = 4f; // the spike marks the faulty reading
            values[fault * 3 + 1] = kind % 2 == 0 ? 2.5f : -2.5f;
            values[fault * 3 + 2] = kind / 2 == 0 ? 2.5f : -2.5f;
            result.Add(new Readings { Values = values, Label = Kinds[kind], FaultAt = fault });
        }
        return result;
    }
}

/// <summary>What the sample reads back from the model.</summary>
public sealed class Pooled
{
    public float[] Weights { get; set; } = Array.Empty<float>();
}
