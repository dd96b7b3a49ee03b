using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// The reference the pretrained encoder is checked against: ONNX Runtime running a packaged model's model.onnx
/// (all-MiniLM-L6-v2, snowflake-arctic-embed-xs) or a test model's export, one window at a time, then sentence-transformers' pooling in double
/// precision: mean over the window's tokens, the windows of a long text averaged, or the first token's state; then L2
/// normalization.
/// </summary>
internal sealed class OnnxRuntimeReference : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRuntimeReference(string modelPath)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        _session = new InferenceSession(modelPath, options);
    }

    /// <summary>last_hidden_state [T, hidden] of one window of ids.</summary>
    public float[,] HiddenStates(int[] window)
    {
        var dims = new[] { 1, window.Length };
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(window.Select(i => (long)i).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, window.Length).ToArray(), dims)),
        };
        // BERT's exports take token types; DistilBERT's and XLM-RoBERTa's (one token type) do not.
        if (_session.InputMetadata.ContainsKey("token_type_ids"))
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[window.Length], dims)));
        using var results = _session.Run(inputs, new[] { "last_hidden_state" });
        var output = results.First().AsTensor<float>();
        int hidden = output.Dimensions[2];
        var states = new float[window.Length, hidden];
        for (int t = 0; t < window.Length; t++)
            for (int d = 0; d < hidden; d++)
                states[t, d] = output[0, t, d];
        return states;
    }

    /// <summary>The [CLS] state of one window, L2-normalized (snowflake-arctic-embed's pooling).</summary>
    public double[] FirstTokenNormalized(int[] window)
    {
        var states = HiddenStates(window);
        var first = Enumerable.Range(0, states.GetLength(1)).Select(d => (double)states[0, d]).ToArray();
        return Normalized(first);
    }

    public double[] MeanPooledNormalized(IReadOnlyList<int[]> windows)
    {
        double[]? sum = null;
        foreach (var window in windows)
        {
            var states = HiddenStates(window);
            sum ??= new double[states.GetLength(1)];
            for (int d = 0; d < sum.Length; d++)
            {
                double mean = 0;
                for (int t = 0; t < window.Length; t++)
                    mean += states[t, d];
                sum[d] += mean / window.Length / windows.Count;
            }
        }
        return Normalized(sum!);
    }

    private static double[] Normalized(double[] vector)
    {
        var norm = Math.Max(Math.Sqrt(vector.Sum(v => v * v)), 1e-12);
        return vector.Select(v => v / norm).ToArray();
    }

    public void Dispose() => _session.Dispose();
}
