using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// A fitted model bound to one input schema: it names the input columns it reads and the columns it adds,
/// and scores rows in batches. The batched <c>Transform</c> view and the row-at-a-time
/// mapper behind <c>PredictionEngine</c> both drive it, so the two paths cannot disagree.
/// </summary>
internal abstract class RowScorer
{
    /// <summary>The columns this scorer appends; their types are those <see cref="OutputGetters"/> supports.</summary>
    public abstract DataViewSchema.DetachedColumn[] OutputColumns { get; }

    /// <summary>The input columns the model reads.</summary>
    public abstract IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

    /// <summary>
    /// Creates an empty batch that reads rows from <paramref name="source"/>'s current position. Only the output
    /// columns for which <paramref name="activeOutputs"/> is true will be read, so a model may skip the others' work.
    /// </summary>
    public abstract RowBatch CreateBatch(DataViewRow source, bool[] activeOutputs);
}

/// <summary>Rows read from a source row or cursor, waiting to be scored together.</summary>
internal abstract class RowBatch
{
    /// <summary>Number of rows read since the last <see cref="Clear"/>.</summary>
    public abstract int Count { get; }

    /// <summary>Copies the model's inputs from the source's current row.</summary>
    public abstract void AddCurrentRow();

    /// <summary>
    /// Scores the rows read so far: result[output column] holds one value per row, as an array of the
    /// column's values (float[][] for float vectors, float[] for Single, uint[] for keys, bool[] for Boolean).
    /// Entries of inactive output columns may be left empty.
    /// </summary>
    public abstract Array[] Score();

    /// <summary>Forgets the rows read so far.</summary>
    public abstract void Clear();
}

/// <summary>A batch whose rows are copied into <typeparamref name="TInput"/> records.</summary>
internal sealed class RowBatch<TInput> : RowBatch
{
    private readonly Func<TInput> _readCurrent;
    private readonly Func<IReadOnlyList<TInput>, bool[], Array[]> _score;
    private readonly bool[] _activeOutputs;
    private readonly List<TInput> _rows = new List<TInput>();

    /// <param name="readCurrent">Copies the model's inputs from the source's current row.</param>
    /// <param name="score">Scores rows; its second argument tells which output columns will be read.</param>
    /// <param name="activeOutputs">Which output columns will be read.</param>
    public RowBatch(Func<TInput> readCurrent, Func<IReadOnlyList<TInput>, bool[], Array[]> score, bool[] activeOutputs)
    {
        _readCurrent = readCurrent;
        _score = score;
        _activeOutputs = activeOutputs;
    }

    public override int Count => _rows.Count;

    public override void AddCurrentRow() => _rows.Add(_readCurrent());

    public override Array[] Score() => _score(_rows, _activeOutputs);

    public override void Clear() => _rows.Clear();
}
