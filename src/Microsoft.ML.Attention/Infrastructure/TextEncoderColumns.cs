using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The columns of a transformer that turns a text column into a vector with an <see cref="ITextEncoder"/> (the
/// featurizer and the pretrained encoder): the text in, the vector out and optionally the attention each token
/// received. Declared, saved, loaded and scored in one place.
/// </summary>
internal sealed record TextEncoderColumns(string Output, string Input, string? TokenWeights, TokenAttentionSource TokenWeightsSource)
{
    /// <summary>
    /// The rows Transform reads ahead: a larger pool gives groups of more similar length (less padding) and enough
    /// groups to keep the concurrent workers busy.
    /// </summary>
    public const int ScoringBatchSize = 2048;

    // Position of the token-weights column among the outputs (after the vector), when it exists.
    private const int TokenWeightsOutput = 1;

    /// <summary>The vector column and the optional token-weights column.</summary>
    public VectorOutputs Outputs => new(Output, TokenWeights);

    // *** Binary format ***
    // int: id of the output column name
    // int: id of the input column name
    // int: id of the token weights column name, or -1
    // int: token attention source
    public void Save(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(Output);
        ctx.SaveNonEmptyString(Input);
        ctx.SaveStringOrNull(TokenWeights);
        ctx.Writer.Write((int)TokenWeightsSource);
    }

    public static TextEncoderColumns Load(ModelLoadContext ctx)
    {
        var output = ModelFormat.ColumnName(ctx, "output")!;
        var input = ModelFormat.ColumnName(ctx, "input")!;
        var tokenWeights = ModelFormat.ColumnName(ctx, "token weights", optional: true);
        var source = (TokenAttentionSource)ctx.Reader.ReadInt32();
        return new TextEncoderColumns(output, input, tokenWeights, source);
    }

    /// <summary>Checks the text column of <paramref name="inputSchema"/> and returns the scorer of <paramref name="encoder"/>.</summary>
    public RowScorer Bind(IExceptionContext host, DataViewSchema inputSchema, ITextEncoder encoder)
    {
        var text = TextColumn.Find(host, inputSchema, Input);
        return new BatchScorer<string?>(new[] { text }, Outputs.Columns(encoder.OutputSize), source => TextColumn.Reader(source, text),
            (texts, active) => Score(encoder, texts, active));
    }

    /// <summary>
    /// Vectors (and token weights) of a batch of texts. The token weights are computed only when that column will be
    /// read: without them attention runs in libtorch's fused kernel, which is faster.
    /// </summary>
    private Array[] Score(ITextEncoder encoder, IReadOnlyList<string?> texts, bool[] activeOutputs)
    {
        bool needWeights = TokenWeights != null && activeOutputs[TokenWeightsOutput];
        var (vectors, weights) = encoder.Encode(texts, needWeights ? TokenWeightsSource : null);
        if (TokenWeights == null)
            return new Array[] { vectors };
        return new Array[] { vectors, weights ?? texts.Select(_ => Array.Empty<float>()).ToArray() };
    }
}
