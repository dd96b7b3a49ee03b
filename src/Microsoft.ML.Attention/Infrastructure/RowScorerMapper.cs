using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The row-at-a-time path (PredictionEngine, <c>GetRowToRowMapper</c>): each row is a batch of one.
/// The batch and its buffers are created once per getter set, never per call.
/// </summary>
internal sealed class RowScorerMapper : IRowMapper
{
    private readonly AttentionTransformerBase _parent;
    private readonly RowScorer _scorer;
    private readonly DataViewSchema _inputSchema;

    public RowScorerMapper(AttentionTransformerBase parent, RowScorer scorer, DataViewSchema inputSchema)
    {
        _parent = parent;
        _scorer = scorer;
        _inputSchema = inputSchema;
    }

    public DataViewSchema.DetachedColumn[] GetOutputColumns() => _scorer.OutputColumns;

    public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
    {
        var anyOutput = Enumerable.Range(0, _scorer.OutputColumns.Length).Any(activeOutput);
        var needed = new bool[_inputSchema.Count];
        if (anyOutput)
            foreach (var column in _scorer.InputColumns)
                needed[column.Index] = true;
        return column => needed[column];
    }

    public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
    {
        disposer = null!;
        var getters = new Delegate[_scorer.OutputColumns.Length];
        if (!getters.Where((_, i) => activeOutput(i)).Any())
            return getters;

        var batch = _scorer.CreateBatch(input, Enumerable.Range(0, getters.Length).Select(activeOutput).ToArray());
        long scoredPosition = -1;
        Array[]? outputs = null;
        Array[] Current()
        {
            if (outputs == null || scoredPosition != input.Position)
            {
                batch.Clear();
                batch.AddCurrentRow();
                outputs = batch.Score();
                scoredPosition = input.Position;
                // A PredictionEngine's calls free memory on the caller's thread (its own malloc arena) and have no end
                // of pass to trim at; without this, a process that mixes Transform passes and Predict calls kept
                // growing by the memory those calls left in their arenas. At most once a second, like batches.
                GlibcMalloc.TrimAfterScoring();
            }
            return outputs;
        }
        for (int i = 0; i < getters.Length; i++)
        {
            if (!activeOutput(i))
                continue;
            int column = i;
            getters[i] = OutputGetters.Create(_scorer.OutputColumns[i], () => Current()[column], () => 0);
        }
        return getters;
    }

    public void Save(ModelSaveContext ctx) => ((ICanSaveModel)_parent).Save(ctx);

    public ITransformer GetTransformer() => _parent;
}
