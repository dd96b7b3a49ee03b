using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// The lazy result of <c>Transform</c>: the input's columns plus the scorer's, computed a batch of rows
/// at a time. Each cursor runs two cursors over the input in step: a lead cursor that reads only the
/// model's input columns ahead of the consumer and scores them a batch at a time, and a follow cursor
/// that serves every other column. Input columns of any type therefore pass through without being buffered.
/// This relies on two cursors over the same view, created with equal seeds, visiting rows in the same
/// order, which every ML.NET view guarantees.
/// It is also the step of the pipeline that ML.NET's ONNX converter meets: as an <see cref="ITransformCanSaveOnnx"/>
/// over its source it lets the converter walk on to the steps before it, and the transformer writes its nodes or
/// refuses with an error naming the component (a view the converter cannot walk through would become the exported
/// graph's input, a graph that breaks when first run).
/// </summary>
internal sealed class BatchScoringDataView : ITransformCanSaveOnnx
{
    private readonly IHost _host;
    private readonly IDataView _source;
    private readonly RowScorer _scorer;
    private readonly ColumnBindings _bindings;
    private readonly int _batchSize;
    private readonly OutputCache _cache;
    private readonly AttentionTransformerBase _transformer;

    public BatchScoringDataView(IHost host, IDataView source, RowScorer scorer, int batchSize, OutputCache cache, AttentionTransformerBase transformer)
    {
        _transformer = transformer;
        _host = host;
        _source = source;
        _scorer = scorer;
        _cache = cache;
        _batchSize = Math.Max(1, batchSize);
        _bindings = new ColumnBindings(source.Schema, scorer.OutputColumns);
    }

    public IDataView Source => _source;

    /// <summary>True when the transformer can be exported; otherwise throws, so the conversion fails with the reason.</summary>
    public bool CanSaveOnnx(OnnxContext ctx)
    {
        _transformer.CheckCanSaveOnnx();
        return true;
    }

    public void SaveAsOnnx(OnnxContext ctx) => _transformer.WriteOnnx(ctx);

    // A data transform saves itself only in ML.NET's legacy data pipes; the transformer is what a model saves.
    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw _host.Except("This view is saved through its transformer: save the model with mlContext.Model.Save.");

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema => _bindings.Schema;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;

        var passThrough = new List<DataViewSchema.Column>();
        var anyOutput = false;
        for (int i = 0; i < active.Length; i++)
        {
            if (!active[i])
                continue;
            int index = _bindings.MapColumnIndex(out bool isSource, i);
            if (isSource)
                passThrough.Add(_source.Schema[index]);
            else
                anyOutput = true;
        }

        // Equal seeds give the lead and follow cursors the same row order.
        int? seed = rand?.Next();
        var follow = _source.GetRowCursor(passThrough, seed.HasValue ? new Random(seed.Value) : null);
        var activeOutputs = ActiveOutputs(active);
        // A view already read in full is served from the cache: no lead cursor, no scoring.
        var cached = anyOutput ? _cache.Find(_source, activeOutputs) : null;
        var lead = anyOutput && cached == null ? _source.GetRowCursor(_scorer.InputColumns, seed.HasValue ? new Random(seed.Value) : null) : null;
        var recorder = lead == null ? null : _cache.StartRecording(_host, _source, activeOutputs);
        return new Cursor(this, follow, lead, active, activeOutputs, cached, recorder);
    }

    private bool[] ActiveOutputs(bool[] active)
    {
        var outputs = new bool[_scorer.OutputColumns.Length];
        for (int i = 0; i < active.Length; i++)
        {
            int index = _bindings.MapColumnIndex(out bool isSource, i);
            if (!isSource)
                outputs[index] = active[i];
        }
        return outputs;
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        // One cursor: batches already use every core inside libtorch, and rows keep their order.
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchScoringDataView _parent;
        private readonly DataViewRowCursor _follow;
        private readonly DataViewRowCursor? _lead;
        private readonly RowBatch? _batch;
        private readonly bool[] _active;
        private readonly OutputCache.Entry? _cached;
        private readonly ValueGetter<DataViewRowId>? _followId;
        private readonly ValueGetter<DataViewRowId>? _leadId;
        private readonly List<DataViewRowId>? _batchIds;
        private OutputCache.Recorder? _recorder;
        private Array[]? _outputs;
        private long _batchStart;
        private int _batchCount;
        private int _cachedRow;
        private bool _disposed;

        public Cursor(BatchScoringDataView parent, DataViewRowCursor follow, DataViewRowCursor? lead, bool[] active,
            bool[] activeOutputs, OutputCache.Entry? cached, OutputCache.Recorder? recorder)
        {
            _parent = parent;
            _follow = follow;
            _lead = lead;
            _active = active;
            _cached = cached;
            _recorder = recorder;
            _batch = lead == null ? null : parent._scorer.CreateBatch(lead, activeOutputs);
            if (cached != null)
                _followId = follow.GetIdGetter();
            if (lead != null)
            {
                _leadId = lead.GetIdGetter();
                _batchIds = new List<DataViewRowId>();
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _follow.Position;

        public override long Batch => _follow.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _follow.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (!_follow.MoveNext())
            {
                // Every row the follow cursor visited was scored: the pass covered the whole view.
                _recorder?.Complete();
                _recorder = null;
                if (_lead != null)
                    GlibcMalloc.TrimAfterScoring(endOfPass: true);
                return false;
            }
            if (_cached != null)
                _cachedRow = CachedRow();
            else if (_lead != null && _follow.Position >= _batchStart + _batchCount)
            {
                try
                {
                    ScoreNextBatch();
                }
                catch (Exception e)
                {
                    // ML.NET reads cursors of the transforms after ours on its worker threads and wraps what they throw
                    // in "Splitter/consolidator worker encountered exception"; the log gets our message first.
                    using (var channel = _parent._host.Start("Batched scoring"))
                        channel.Error($"{e.Message} (When ML.NET reports this as a worker exception, this is its innermost exception: exception.GetBaseException().)");
                    throw;
                }
            }
            return true;
        }

        private int CachedRow()
        {
            var id = default(DataViewRowId);
            _followId!(ref id);
            return _cached!.Rows.TryGetValue(id, out var row) ? row
                : throw _parent._host.Except($"Row {_follow.Position} has id {id}, which the earlier pass over this view did not have; the input view must give its rows stable ids.");
        }

        private void ScoreNextBatch()
        {
            _batch!.Clear();
            _batchIds!.Clear();
            _batchStart = _follow.Position;
            var id = default(DataViewRowId);
            while (_batch.Count < _parent._batchSize && _lead!.MoveNext())
            {
                _batch.AddCurrentRow();
                _leadId!(ref id);
                _batchIds.Add(id);
            }
            if (_batch.Count == 0)
                throw _parent._host.Except("The input view returned fewer rows to a second cursor than to the first; it must enumerate rows in a repeatable order.");
            _batchCount = _batch.Count;
            _outputs = _batch.Score();
            _recorder?.Add(_batchIds, _outputs);
            GlibcMalloc.TrimAfterScoring();
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            _parent._host.Check(IsColumnActive(column), "The column is not active in this cursor.");
            int index = _parent._bindings.MapColumnIndex(out bool isSource, column.Index);
            if (isSource)
                return _follow.GetGetter<TValue>(_follow.Schema[index]);

            var getter = _cached != null
                ? OutputGetters.Create(_parent._scorer.OutputColumns[index], () => _cached.Outputs[index], () => _cachedRow)
                : OutputGetters.Create(_parent._scorer.OutputColumns[index], () => _outputs![index], () => (int)(_follow.Position - _batchStart));
            return getter as ValueGetter<TValue>
                ?? throw _parent._host.Except($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
                return;
            if (disposing)
            {
                _follow.Dispose();
                _lead?.Dispose();
            }
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
