using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The one scorer of this library's transformers: a component supplies only how a row is read into a
/// <typeparamref name="TRow"/> and how a batch of them is scored; batching, the Transform view and the
/// PredictionEngine path are shared.
/// </summary>
internal sealed class BatchScorer<TRow> : RowScorer
{
    private readonly Func<DataViewRow, Func<TRow>> _reader;
    private readonly Func<IReadOnlyList<TRow>, bool[], Array[]> _score;

    /// <param name="inputs">The input columns the model reads.</param>
    /// <param name="outputs">The columns the transformer adds.</param>
    /// <param name="reader">Makes a function that copies the current row of a source into a <typeparamref name="TRow"/>.</param>
    /// <param name="score">Scores rows; its second argument tells which output columns will be read.</param>
    public BatchScorer(IReadOnlyList<DataViewSchema.Column> inputs, DataViewSchema.DetachedColumn[] outputs,
        Func<DataViewRow, Func<TRow>> reader, Func<IReadOnlyList<TRow>, bool[], Array[]> score)
    {
        InputColumns = inputs;
        OutputColumns = outputs;
        _reader = reader;
        _score = score;
    }

    public override DataViewSchema.DetachedColumn[] OutputColumns { get; }

    public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

    public override RowBatch CreateBatch(DataViewRow source, bool[] activeOutputs)
        => new RowBatch<TRow>(_reader(source), _score, activeOutputs);
}
