using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// The child side of the loader fuzz test (LoaderFuzzTests): loads and scores every case of a folder and prints one
/// line a case, so that the parent can tell which case crashed, hung or grew the process beyond its limit.
/// </summary>
/// <remarks>
/// Lines: <c>start N</c> before case N; then <c>ok N</c>, <c>nonfinite N column</c>, <c>refused N Type: message</c> or
/// <c>unclear N chain</c>; at the end <c>vmhwm kB</c>, the process's peak resident memory.
/// </remarks>
public static class FuzzCases
{
    /// <param name="kind">pooling, han, featurizer, pretrained (model zips), huggingface, sentence-transformers, onnx (folders) or vectors.</param>
    /// <param name="folder">Holds rows.idv (the rows scored, or trained on for vectors) and the cases, named case-NNN.</param>
    /// <param name="first">The first case to run (the parent restarts a killed child after the case it was killed in).</param>
    public static void Run(string kind, string folder, int first)
    {
        // One libtorch thread: cases are tiny, and two checkers may run side by side.
        TorchSharp.torch.set_num_threads(1);
        var ml = new MLContext(seed: 5);
        var rows = ml.Data.LoadFromBinary(Path.Combine(folder, "rows.idv"));
        var cases = Directory.EnumerateFileSystemEntries(folder, "case-*").OrderBy(p => p, StringComparer.Ordinal).ToArray();
        // Case 0 is the untouched input: scoring it first keeps start-up and compilation out of every case's time limit.
        NonFiniteColumn(Score(ml, kind, cases[0], rows));
        for (int i = first; i < cases.Length; i++)
        {
            Console.WriteLine($"start {i}");
            string result;
            try
            {
                var scored = Score(ml, kind, cases[i], rows);
                var bad = NonFiniteColumn(scored);
                result = bad == null ? $"ok {i}" : $"nonfinite {i} {bad}";
            }
            catch (Exception e)
            {
                var reason = Reason(e);
                var text = $"{reason.GetType().Name}: {reason.Message}".ReplaceLineEndings(" ");
                result = IsClear(reason, cases[i]) ? $"refused {i} {text}" : $"unclear {i} {Chain(e).ReplaceLineEndings(" ")}";
            }
            Console.WriteLine(result);
        }
        var peak = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine($"vmhwm {peak?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]}");
    }

    private static IDataView Score(MLContext ml, string kind, string path, IDataView rows)
    {
        switch (kind)
        {
            case "pooling" or "han" or "featurizer" or "pretrained":
                return ml.Model.Load(path, out _).Transform(rows);
            case "huggingface" or "sentence-transformers" or "onnx" or "distilbert":
                return ml.Transforms.Text.ApplyPretrainedEncoder("Embedding", "Text", path).Fit(rows).Transform(rows);
            case "vectors":
                // The HAN takes the file's dimension as its embedding size, so every dimension a mutation gives trains.
                var options = new HierarchicalAttentionTrainer.Options
                {
                    LabelColumnName = "Label", TextColumnName = "Text", WordHiddenSize = 4, SentenceHiddenSize = 4, AttentionSize = 4,
                    BatchSize = 16, NumberOfEpochs = 1, MinimumWordCount = 1, PretrainedVectorsPath = path,
                };
                return ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(options)).Fit(rows).Transform(rows);
            default:
                throw new ArgumentException($"Unknown fuzz kind '{kind}'.");
        }
    }

    // The first float column (or vector of floats) holding NaN or infinity, reading every row.
    private static string? NonFiniteColumn(IDataView scored)
    {
        var columns = scored.Schema.Where(c => (c.Type is VectorDataViewType v ? v.ItemType : c.Type) == NumberDataViewType.Single && !c.IsHidden).ToArray();
        using var cursor = scored.GetRowCursor(columns);
        var getters = columns.Select(c => c.Type is VectorDataViewType ? VectorGetter(cursor, c) : ScalarGetter(cursor, c)).ToArray();
        while (cursor.MoveNext())
            for (int c = 0; c < columns.Length; c++)
                if (!getters[c]().All(float.IsFinite))
                    return columns[c].Name;
        return null;
    }

    private static Func<float[]> VectorGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        return () =>
        {
            getter(ref value);
            return value.DenseValues().ToArray();
        };
    }

    private static Func<float[]> ScalarGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<float>(column);
        float value = 0;
        return () =>
        {
            getter(ref value);
            return new[] { value };
        };
    }

    // ML.NET calls loaders by reflection and wraps what they throw (see ModelZip.Reason).
    private static Exception Reason(Exception error)
    {
        while (error.InnerException is { } inner
            && (error is System.Reflection.TargetInvocationException || error is InvalidOperationException && error.Message.StartsWith("Error during class instantiation", StringComparison.Ordinal)))
            error = inner;
        return error;
    }

    private static string Chain(Exception error)
    {
        var parts = new System.Collections.Generic.List<string>();
        for (var e = error; e != null; e = e.InnerException)
            parts.Add(e.GetType().Name + ": " + e.Message + " @ " + string.Join(" < ", (e.StackTrace ?? "").Split('\n').Take(4).Select(f => f.Trim())));
        return string.Join(" <- ", parts);
    }

    // A clear error is one the library (or ML.NET's model reader, or the zip reader for a damaged container) throws on
    // purpose, of a type that says the file is bad, naming the file (the case's zip, folder or vector file); a runtime
    // exception or a libtorch message says nothing of the file. Two of ML.NET's own are clear without it: the schema
    // check naming a column (a column name of the model edited into another), and its check of an entry's header.
    private static bool IsClear(Exception error, string path)
    {
        bool schema = error is ArgumentOutOfRangeException { ParamName: "schema" } && error.Message.StartsWith("Could not find", StringComparison.Ordinal);
        bool header = error.GetType() == typeof(FormatException) && error.TargetSite?.DeclaringType?.FullName == "Microsoft.ML.ModelHeader";
        bool purposeful = (error is InvalidDataException or FileNotFoundException or DirectoryNotFoundException || error.GetType() == typeof(InvalidOperationException))
            && error.Message.Contains(path, StringComparison.Ordinal);
        bool fromLibtorch = error.Message.Contains("Exception raised from", StringComparison.Ordinal) || error.Message.Contains("DefaultCPUAllocator", StringComparison.Ordinal);
        bool fromJson = error.Message.StartsWith("An element of type", StringComparison.Ordinal) || error.Message.StartsWith("The requested operation requires an element of type", StringComparison.Ordinal);
        return (purposeful || schema || header) && !fromLibtorch && !fromJson;
    }
}
