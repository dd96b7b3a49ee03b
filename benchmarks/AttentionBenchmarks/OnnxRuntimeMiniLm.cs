using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace AttentionBenchmarks;

/// <summary>
/// all-MiniLM-L6-v2 sentence vectors the way an ML.NET user would compute them without this library:
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> for the ids, ONNX Runtime for the encoder, then
/// sentence-transformers' recipe (mean of the last hidden states over the attention mask, L2 normalization).
/// </summary>
public sealed class OnnxRuntimeMiniLm : IDisposable
{
    /// <summary>sentence-transformers' max_seq_length for this model; [CLS] and [SEP] included.</summary>
    public const int MaximumTokens = 256;

    public const int BatchSize = 32;

    public const int Dimension = 384;

    private readonly MiniLmIds _ids;
    private readonly InferenceSession _session;

    public OnnxRuntimeMiniLm(string modelFolder, int threads)
    {
        _ids = new MiniLmIds(modelFolder);
        // Intra-op threads only: one Run at a time, so inter-op parallelism has nothing to overlap.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(MiniLmModel.OnnxPath(modelFolder), options);
    }

    /// <summary>[CLS] word pieces [SEP] of a text, at most <see cref="MaximumTokens"/> (see <see cref="MiniLmIds"/>).</summary>
    public int[] Ids(string text) => _ids.Ids(text);

    public string TruncationReport(string longText) => _ids.TruncationReport(longText);

    /// <summary>
    /// Vectors of the texts, in their order; <paramref name="tokenCounts"/> gets each text's ids count. Texts are
    /// tokenized, sorted by length, and run in batches of <see cref="BatchSize"/> neighbours, padded to the longest.
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> texts, out int[] tokenCounts)
    {
        int[][] ids = texts.Select(Ids).ToArray();
        tokenCounts = ids.Select(i => i.Length).ToArray();
        return EmbedIds(ids);
    }

    /// <summary>Vectors of texts already tokenized: sorted by length, batches of <paramref name="batchSize"/> neighbours.</summary>
    public float[][] EmbedIds(IReadOnlyList<int[]> ids, int batchSize = BatchSize)
    {
        int[] order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Length).ToArray();
        var vectors = new float[ids.Count][];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int[] batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            float[][] pooled = Run(batch.Select(i => ids[i]).ToArray());
            for (int b = 0; b < batch.Length; b++)
            {
                vectors[batch[b]] = pooled[b];
            }
        }
        return vectors;
    }

    /// <summary>One forward pass over a batch of id sequences; mean-pooled, L2-normalized vectors.</summary>
    public float[][] Run(IReadOnlyList<int[]> batch)
    {
        int rows = batch.Count, length = batch.Max(b => b.Length);
        var inputIds = new long[rows * length];
        var mask = new long[rows * length];
        for (int r = 0; r < rows; r++)
        {
            for (int t = 0; t < batch[r].Length; t++)
            {
                inputIds[r * length + t] = batch[r][t];
                mask[r * length + t] = 1;
            }
        }
        var dims = new[] { rows, length };
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[rows * length], dims)),
        };
        // Only last_hidden_state is asked for: the pooler output is not part of sentence-transformers' recipe.
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(inputs, new[] { "last_hidden_state" });
        var hidden = (DenseTensor<float>)results.First().AsTensor<float>();
        Debug.Assert(hidden.Dimensions[2] == Dimension);
        Span<float> states = hidden.Buffer.Span;
        var pooled = new float[rows][];
        var sum = new double[Dimension];
        for (int r = 0; r < rows; r++)
        {
            // Mean over the real tokens only (the attention mask), accumulated in double, then L2 normalization.
            Array.Clear(sum);
            int tokens = batch[r].Length;
            for (int t = 0; t < tokens; t++)
            {
                Span<float> state = states.Slice((r * length + t) * Dimension, Dimension);
                for (int d = 0; d < Dimension; d++)
                {
                    sum[d] += state[d];
                }
            }
            double norm = Math.Max(Math.Sqrt(sum.Sum(v => v * v)) / tokens, 1e-12);
            var vector = new float[Dimension];
            for (int d = 0; d < Dimension; d++)
            {
                vector[d] = (float)(sum[d] / tokens / norm);
            }
            pooled[r] = vector;
        }
        return pooled;
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// The ids <see cref="OnnxRuntimeMiniLm"/> feeds the model: Microsoft.ML.Tokenizers' BertTokenizer on vocab.txt with
/// lower-casing, as an ML.NET user would set it up. Also the token counts behind the FLOP figures of the systems that
/// run the model through this library (whose own tokenization corrects BertTokenizer 2.0.1's few deviations from
/// Hugging Face's, so its counts differ slightly).
/// </summary>
public sealed class MiniLmIds
{
    private readonly BertTokenizer _tokenizer;

    public MiniLmIds(string modelFolder)
        => _tokenizer = BertTokenizer.Create(MiniLmModel.VocabularyPath(modelFolder), new BertOptions { LowerCaseBeforeTokenization = true });

    /// <summary>
    /// [CLS] word pieces [SEP], at most <see cref="OnnxRuntimeMiniLm.MaximumTokens"/> ids. Line breaks become spaces first:
    /// BertTokenizer 2.0.1 otherwise joins the words on either side of a '\n' into one (dotnet/machinelearning #7724),
    /// and the corpus separates sentences with '\n'. (It also drops a few symbols such as $ + = | ~, #7725; left as is,
    /// since an ML.NET user would meet the same.)
    /// </summary>
    public int[] Ids(string text)
    {
        string spaced = text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        IReadOnlyList<int> ids = _tokenizer.EncodeToIds(spaced, OnnxRuntimeMiniLm.MaximumTokens, addSpecialTokens: true, out _, out _);
        return EnsureEnds(ids);
    }

    /// <summary>
    /// Guarantees [CLS] first and [SEP] last within the budget, as sentence-transformers' truncation does (the text keeps
    /// its first word pieces). EncodeToIds 2.0.1 already does so (measured: a text of 352 ids gives 256, [CLS] first,
    /// [SEP] last; <see cref="TruncationReport"/> prints it on each run), so this only guards against a change.
    /// </summary>
    private int[] EnsureEnds(IReadOnlyList<int> ids)
    {
        int cls = _tokenizer.ClassificationTokenId, sep = _tokenizer.SeparatorTokenId;
        var body = ids.Count > 0 && ids[0] == cls ? ids.Skip(1) : ids;
        var list = body.ToList();
        if (list.Count > 0 && list[^1] == sep)
        {
            list.RemoveAt(list.Count - 1);
        }
        if (list.Count > OnnxRuntimeMiniLm.MaximumTokens - 2)
        {
            list.RemoveRange(OnnxRuntimeMiniLm.MaximumTokens - 2, list.Count - (OnnxRuntimeMiniLm.MaximumTokens - 2));
        }
        list.Insert(0, cls);
        list.Add(sep);
        return list.ToArray();
    }

    /// <summary>What EncodeToIds itself returns for a text longer than the budget, to state its truncation behaviour.</summary>
    public string TruncationReport(string longText)
    {
        IReadOnlyList<int> raw = _tokenizer.EncodeToIds(longText, OnnxRuntimeMiniLm.MaximumTokens, addSpecialTokens: true, out _, out int consumed);
        int full = _tokenizer.EncodeToIds(longText, addSpecialTokens: true).Count;
        return $"EncodeToIds(max {OnnxRuntimeMiniLm.MaximumTokens}) on a text of {full} ids: {raw.Count} ids, first {(raw[0] == _tokenizer.ClassificationTokenId ? "[CLS]" : raw[0].ToString())}, "
            + $"last {(raw[^1] == _tokenizer.SeparatorTokenId ? "[SEP]" : raw[^1].ToString())}, {consumed} of {longText.Length} characters consumed";
    }
}
