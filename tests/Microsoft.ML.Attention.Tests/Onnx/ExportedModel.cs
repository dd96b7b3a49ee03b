using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// A fitted pipeline exported with ML.NET's own <c>mlContext.Model.ConvertToOnnx</c>, as a user exports it, and run in
/// ONNX Runtime. ML.NET names a graph output after its column with ".output".
/// </summary>
internal sealed class ExportedModel : IDisposable
{
    private readonly InferenceSession _session;

    public byte[] Bytes { get; }

    public ExportedModel(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        Bytes = stream.ToArray();
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        _session = new InferenceSession(Bytes, options);
    }

    /// <summary>Runs the graph on float inputs given as [rows, values] matrices; returns each float output by column name.</summary>
    public Dictionary<string, Tensor<float>> RunFloats(IReadOnlyDictionary<string, float[][]> inputs, params string[] columns)
    {
        using var results = _session.Run(Feeds(inputs), columns.Select(c => c + ".output").ToArray());
        return results.ToDictionary(r => r.Name[..^".output".Length], r => r.AsTensor<float>().Clone());
    }

    /// <summary>Runs the graph and returns one key (uint32) output.</summary>
    public uint[] RunKeys(IReadOnlyDictionary<string, float[][]> inputs, string column)
    {
        using var results = _session.Run(Feeds(inputs), new[] { column + ".output" });
        return results.Single().AsTensor<uint>().ToArray();
    }

    /// <summary>The graph's inputs by name.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    /// <summary>Runs the graph on inputs of any type; returns the outputs of the given columns (named "column.output").</summary>
    public IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(IReadOnlyCollection<NamedOnnxValue> feeds, params string[] columns)
        => _session.Run(feeds, columns.Select(c => c + ".output").ToArray());

    private static List<NamedOnnxValue> Feeds(IReadOnlyDictionary<string, float[][]> inputs) => inputs.Select(input =>
    {
        int width = input.Value.Length == 0 ? 0 : input.Value[0].Length;
        Assert.IsTrue(input.Value.All(row => row.Length == width), $"rows of {input.Key} given to ONNX Runtime share one length");
        return NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<float>(input.Value.SelectMany(r => r).ToArray(), new[] { input.Value.Length, width }));
    }).ToList();

    /// <summary>Row <paramref name="row"/> of a [rows, values] output.</summary>
    public static float[] Row(Tensor<float> output, int row)
    {
        int width = output.Dimensions[1];
        return Enumerable.Range(0, width).Select(i => output[row, i]).ToArray();
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>The export's promise: ONNX Runtime's outputs equal our Transform's within 1e-4, max abs.</summary>
internal static class ExportAssert
{
    public const double Tolerance = 1e-4;

    public static void AreClose(float[] expected, float[] actual, string message)
    {
        Assert.HasCount(expected.Length, actual, message);
        for (int i = 0; i < expected.Length; i++)
            Assert.IsLessThanOrEqualTo(Tolerance, Math.Abs(expected[i] - actual[i]), $"{message}, element {i}: {expected[i]} (ML.NET) vs {actual[i]} (ONNX Runtime)");
    }
}
