using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Remembers a transformer's outputs for the input view it last read in full, so a trainer that reads its input
/// many times (SDCA, L-BFGS, FastTree's binning) pays for one encoding instead of one per pass.
/// </summary>
/// <remarks>
/// Why this and not the alternatives: ML.NET views are immutable, so a row's outputs depend only on (view, row),
/// and keeping the scorer's own per-batch result arrays costs nothing extra while they are produced; ML.NET's
/// <c>CacheDataView</c> would also copy every pass-through column (texts of any size), and caching only the
/// tokenization still runs the model every pass. Rows are keyed by <see cref="DataViewRowId"/>, not position, so
/// shuffled passes (a source that can shuffle, SDCA's default) are served too. The view is held weakly
/// (<see cref="ConditionalWeakTable{TKey, TValue}"/>): its entry dies with it. One entry at a time, at most
/// <see cref="MaximumBytes"/>; a pass whose outputs outgrow the bound is not kept. Thread-safe: each cursor records
/// on its own and publishes under a lock; served entries are read-only.
/// </remarks>
internal sealed class OutputCache
{
    private readonly object _lock = new object();
    private ConditionalWeakTable<IDataView, Entry> _entries = new ConditionalWeakTable<IDataView, Entry>();
    // Views this transformer encoded in full at least once: a second full encoding of one of them is logged.
    private readonly ConditionalWeakTable<IDataView, object> _encodedInFull = new ConditionalWeakTable<IDataView, object>();
    private int _warned;
    private long _rowsScored;

    /// <summary>Upper bound of the memory an entry may hold; 0 disables the cache.</summary>
    public long MaximumBytes { get; set; } = 256L << 20;

    /// <summary>Rows scored by batched <c>Transform</c> cursors since the transformer was created (what the cache saves).</summary>
    public long RowsScored => Interlocked.Read(ref _rowsScored);

    /// <summary>Approximate bytes held by the current entry (0 when none).</summary>
    public long CachedBytes { get; private set; }

    internal void CountScored(int rows) => Interlocked.Add(ref _rowsScored, rows);

    /// <summary>The entry that can serve a cursor over <paramref name="source"/> reading <paramref name="activeOutputs"/>, or null.</summary>
    public Entry? Find(IDataView source, bool[] activeOutputs)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(source, out var entry))
                return null;
            for (int i = 0; i < activeOutputs.Length; i++)
                if (activeOutputs[i] && !entry.Computed[i])
                    return null;
            return entry;
        }
    }

    /// <summary>A recorder for one cursor pass, or null when the cache is disabled.</summary>
    public Recorder? StartRecording(IHost host, IDataView source, bool[] activeOutputs)
    {
        lock (_lock)
        {
            if (_encodedInFull.TryGetValue(source, out _) && Interlocked.Exchange(ref _warned, 1) == 0)
            {
                using var channel = host.Start("Batched scoring");
                channel.Warning("The same data is being encoded a second time" +
                    (MaximumBytes > 0 ? $" (its outputs did not fit the output cache of {MaximumBytes >> 20} MiB)" : " (the output cache is off)") +
                    ": a trainer that reads its input many times re-runs the model on every pass. " +
                    "Add AppendCacheCheckpoint(mlContext) after this transform, or raise the output cache bound.");
            }
        }
        return new Recorder(this, source, (bool[])activeOutputs.Clone());
    }

    private void Publish(IDataView source, Entry? entry)
    {
        lock (_lock)
        {
            _encodedInFull.AddOrUpdate(source, source);
            if (entry == null)
                return;
            // Only the view last read in full is kept: a fresh table drops every other entry.
            _entries = new ConditionalWeakTable<IDataView, Entry>();
            _entries.Add(source, entry);
            CachedBytes = entry.Bytes;
        }
    }

    /// <summary>The outputs of every row of one view, by row id.</summary>
    internal sealed class Entry
    {
        public Entry(Dictionary<DataViewRowId, int> rows, Array[] outputs, bool[] computed, long bytes)
        {
            Rows = rows;
            Outputs = outputs;
            Computed = computed;
            Bytes = bytes;
        }

        public Dictionary<DataViewRowId, int> Rows { get; }

        /// <summary>Per output column, the values of all rows (see <see cref="RowBatch.Score"/>).</summary>
        public Array[] Outputs { get; }

        public bool[] Computed { get; }

        public long Bytes { get; }
    }

    /// <summary>Collects one cursor's batches; publishes them when the cursor reached the end of the view.</summary>
    internal sealed class Recorder
    {
        private readonly OutputCache _cache;
        private readonly IDataView _source;
        private readonly bool[] _computed;
        private readonly List<Array[]> _batches = new List<Array[]>();
        private readonly List<DataViewRowId> _ids = new List<DataViewRowId>();
        private long _bytes;
        private bool _overBound;

        public Recorder(OutputCache cache, IDataView source, bool[] computed)
        {
            _cache = cache;
            _source = source;
            _computed = computed;
            _overBound = cache.MaximumBytes <= 0;
        }

        /// <summary>Keeps a scored batch: <paramref name="ids"/> are its rows' ids, in order.</summary>
        public void Add(IReadOnlyList<DataViewRowId> ids, Array[] outputs)
        {
            _cache.CountScored(ids.Count);
            if (_overBound)
                return;
            _bytes += ids.Count * 48L + SizeOf(outputs);
            if (_bytes > _cache.MaximumBytes)
            {
                _overBound = true;
                _batches.Clear();
                _ids.Clear();
                return;
            }
            _batches.Add(outputs);
            _ids.AddRange(ids);
        }

        /// <summary>Called when the cursor's source said it has no more rows: every row was scored once.</summary>
        public void Complete()
        {
            if (_overBound)
            {
                _cache.Publish(_source, null);
                return;
            }
            var rows = new Dictionary<DataViewRowId, int>(_ids.Count);
            for (int i = 0; i < _ids.Count; i++)
                if (!rows.TryAdd(_ids[i], i))
                {
                    // Ids that repeat cannot key the rows; the view is still marked as read in full.
                    _cache.Publish(_source, null);
                    return;
                }
            var outputs = new Array[_computed.Length];
            for (int c = 0; c < outputs.Length; c++)
                outputs[c] = _computed[c] ? Concatenate(c) : Array.Empty<object>();
            _cache.Publish(_source, new Entry(rows, outputs, _computed, _bytes));
        }

        private Array Concatenate(int column)
        {
            var elementType = _batches.Count > 0 ? _batches[0][column].GetType().GetElementType()! : typeof(object);
            var result = Array.CreateInstance(elementType, _ids.Count);
            int offset = 0;
            foreach (var batch in _batches)
            {
                Array.Copy(batch[column], 0, result, offset, batch[column].Length);
                offset += batch[column].Length;
            }
            return result;
        }

        private long SizeOf(Array[] outputs)
        {
            long bytes = 0;
            for (int c = 0; c < outputs.Length; c++)
            {
                if (!_computed[c])
                    continue;
                if (outputs[c] is float[][] vectors)
                    foreach (var vector in vectors)
                        bytes += 32 + vector.LongLength * sizeof(float);
                else
                    bytes += outputs[c].LongLength * 8;
            }
            return bytes;
        }
    }
}
