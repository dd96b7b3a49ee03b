// Pools sequences of sensor readings into one vector per sequence and shows where the weight went.
// Each sequence holds 4 to 12 readings of 3 sensors. One reading is a fault: sensor 1 spikes, and the signs
// of sensors 2 and 3 tell which of four kinds of fault it is. The other readings swing on sensors 2 and 3 at
// random, so averaging the sequence or taking its maximum buries the evidence; attention that finds the
// spike does not.
//
//   dotnet run --project samples/SequencePooling
//   dotnet run --project samples/SequencePooling -- --data my.csv --sequence-column Sequence --label-column Label --vector-size 3
//
// Options: --data FILE (CSV with a header row, a label column and a column of space-separated numbers, element after
// element; see SequenceCsv.cs; 80% training, 20% test), --sequence-column NAME (default Sequence), --label-column NAME
// (default Label), --vector-size N (numbers per element, default 3), --export FILE (write the generated training data
// in that format and stop).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using TorchSharp;

var settings = SampleSettings.Parse(args);
if (settings.ExportPath != null)
{
    SequenceCsv.Write(settings.ExportPath, Readings.Generate(2000, seed: 1));
    Console.WriteLine($"Wrote {settings.ExportPath}.");
    return;
}

var ml = new MLContext(seed: 1);
List<Readings> trainRows, testRows;
if (settings.DataPath == null)
    (trainRows, testRows) = (Readings.Generate(2000, seed: 1), Readings.Generate(500, seed: 2));
else
{
    var rows = SequenceCsv.Read(ml, settings.DataPath, settings.SequenceColumn, settings.LabelColumn, settings.VectorSize);
    var random = new Random(1);
    var shuffled = rows.OrderBy(_ => random.Next()).ToList();
    int testCount = Math.Max(1, shuffled.Count / 5);
    (trainRows, testRows) = (shuffled.Skip(testCount).ToList(), shuffled.Take(testCount).ToList());
    Console.WriteLine($"Data: {settings.DataPath}, {trainRows.Count} training and {testRows.Count} test sequences of {settings.VectorSize}-value elements.");
}
var train = ml.Data.LoadFromEnumerable(trainRows);
var test = ml.Data.LoadFromEnumerable(testRows);
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads: {torch.get_num_threads()}");

foreach (var mode in new[] { PoolingMode.Mean, PoolingMode.Max, PoolingMode.Attention })
{
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.AttentionPooling("Pooled", "Readings", settings.VectorSize, labelColumnName: "Label", weightsColumnName: mode == PoolingMode.Max ? null : "Weights", mode: mode))
        .Append(ml.Transforms.NormalizeMinMax("Features", "Pooled"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"{mode,-9} pooling: test accuracy {metrics.MicroAccuracy:P1}");

    if (mode == PoolingMode.Attention)
    {
        if (settings.DataPath == null)
        {
            var weights = ml.Data.CreateEnumerable<Pooled>(model.Transform(test), reuseRowObject: false).ToList();
            var onFault = testRows.Zip(weights).Count(p => Array.IndexOf(p.Second.Weights, p.Second.Weights.Max()) == p.First.FaultAt);
            Console.WriteLine($"The largest weight falls on the faulty reading in {onFault} of {testRows.Count} test sequences.");
        }

        var path = Path.GetFullPath("sequence-pooling-model.zip");
        ml.Model.Save(model, train.Schema, path);
        var reloaded = new MLContext(seed: 1).Model.Load(path, out _);
        Console.WriteLine($"Saved the model to {path} and loaded it back.");
        var engine = ml.Model.CreatePredictionEngine<Readings, Pooled>(reloaded);
        var example = settings.DataPath == null ? Readings.Generate(1, seed: 3)[0] : testRows[0];
        var prediction = engine.Predict(example);
        Console.WriteLine(example.FaultAt >= 0
            ? $"Reloaded model from {path}; one sequence, fault at reading {example.FaultAt}:"
            : $"Reloaded model from {path}; first test sequence, label {example.Label}, predicted {prediction.PredictedLabel}:");
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
    public string PredictedLabel { get; set; } = "";

    public float[] Weights { get; set; } = Array.Empty<float>();
}
