// Pools sequences of sensor readings into one vector per sequence and shows where the weight went.
// Each sequence holds 4 to 12 readings of 3 sensors; one reading per sequence is a fault spike that
// decides the label. Run: dotnet run --project samples/SequencePooling
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
        .Append(ml.Transforms.AttentionPooling("Pooled", "Readings", Sensors, mode == PoolingMode.Max ? null : "Weights", mode))
        .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
    var model = pipeline.Fit(train);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"{mode,-9} pooling: test accuracy {metrics.MicroAccuracy:P1}");

    if (mode == PoolingMode.Attention)
    {
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
            bool overheating = random.Next(2) == 1;
            values[fault * 3] = 4f;                              // the spike marks the faulty reading
            values[fault * 3 + 1] = overheating ? 2.5f : -2.5f;  // and its second sensor tells the kind
            result.Add(new Readings { Values = values, Label = overheating ? "overheating" : "undervoltage", FaultAt = fault });
        }
        return result;
    }
}

/// <summary>What the sample reads back from the model.</summary>
public sealed class Pooled
{
    public float[] Weights { get; set; } = Array.Empty<float>();
}
