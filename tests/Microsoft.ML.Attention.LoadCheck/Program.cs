// Usage: LoadCheck <model.zip> <rows> <vectorSize> <seed> <column> [<column> ...]
// Loads the model in this fresh process, scores SequenceData.Generate(rows, vectorSize, seed) through
// Transform and through a PredictionEngine, and prints every float of the named vector columns as hex bits.
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pooling;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 123);
var model = ml.Model.Load(args[0], out _);
var rows = SequenceData.Generate(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
foreach (var name in args.Skip(4))
{
    var column = scored.Schema[name];
    using var cursor = scored.GetRowCursor(new[] { column });
    var getter = cursor.GetGetter<VBuffer<float>>(column);
    var buffer = default(VBuffer<float>);
    while (cursor.MoveNext())
    {
        getter(ref buffer);
        Console.WriteLine($"transform {name} {cursor.Position}: " + string.Join(" ", buffer.DenseValues().Select(Bits)));
    }
}

var engine = ml.Model.CreatePredictionEngine<SequenceRow, Scores>(model);
for (int i = 0; i < rows.Count; i++)
    Console.WriteLine($"engine Score {i}: " + string.Join(" ", engine.Predict(rows[i]).Score.Select(Bits)));

static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8");

internal sealed class Scores
{
    public float[] Score { get; set; } = Array.Empty<float>();
}
