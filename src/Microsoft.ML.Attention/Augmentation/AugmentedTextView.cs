using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Augmentation;

/// <summary>
/// The rows of a labelled view, each followed by its augmented copies, made as the view is read (nothing is held but
/// the current row's copies). Columns: the text and, when given, the label, of the source's types; a copy's label is
/// missing (key 0, NaN or empty text). Each source row draws from its own generator, seeded by the seed and the row's
/// position, so every pass gives the same rows.
/// </summary>
internal sealed class AugmentedTextView : IDataView
{
    private readonly IHost _host;
    private readonly IDataView _source;
    private readonly DataViewSchema.Column _text;
    private readonly DataViewSchema.Column? _label;
    private readonly WordAugmenter _augmenter;
    private readonly int _copiesPerRow;
    private readonly int _seed;

    public AugmentedTextView(IHost host, IDataView source, DataViewSchema.Column text, DataViewSchema.Column? label,
        WordAugmenter augmenter, int copiesPerRow, int seed, DataViewSchema.Annotations? textAnnotations = null)
    {
        _host = host;
        _source = source;
        _text = text;
        _label = label;
        _augmenter = augmenter;
        _copiesPerRow = copiesPerRow;
        _seed = seed;
        Schema = SchemaOf(text, label, textAnnotations);
    }

    /// <summary>
    /// The view's columns: the source's text and label, with their annotations (a key label's values); the text's
    /// annotations are <paramref name="textAnnotations"/> when given (the teacher's word vectors added).
    /// </summary>
    public static DataViewSchema SchemaOf(DataViewSchema.Column text, DataViewSchema.Column? label, DataViewSchema.Annotations? textAnnotations = null)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(text.Name, text.Type, textAnnotations ?? text.Annotations);
        if (label is { } l)
            builder.AddColumn(l.Name, l.Type, l.Annotations);
        return builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _copiesPerRow == 0 ? _source.GetRowCount() : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    // One cursor: the rows' order is what makes them deterministic.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>A source row's own seed: SplitMix64 of the seed and the row's position.</summary>
    private static int RowSeed(int seed, long row)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)row) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly AugmentedTextView _view;
        private readonly HashSet<int> _active;
        private readonly DataViewRowCursor _source;
        private readonly Func<string?> _readText;
        private List<string> _copies = new();
        private int _copy = -1;   // -1: the source row itself
        private string _current = "";
        private long _sourceRow = -1;
        private long _position = -1;

        public Cursor(AugmentedTextView view, HashSet<int> active)
        {
            _view = view;
            _active = active;
            var needed = new List<DataViewSchema.Column> { view._text };
            if (view._label is { } label && active.Contains(1))
                needed.Add(label);
            _source = view._source.GetRowCursor(needed);
            _readText = TextColumn.Reader(_source, view._text);
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool MoveNext()
        {
            _view._host.CheckAlive();
            if (_copy + 1 < _copies.Count)
            {
                _current = _copies[++_copy];
                _position++;
                return true;
            }
            if (!_source.MoveNext())
                return false;
            _sourceRow++;
            _current = _readText() ?? "";
            _copy = -1;
            _copies = _view._copiesPerRow == 0 ? new List<string>()
                : _view._augmenter.Augment(_current, _view._copiesPerRow, new Random(RowSeed(_view._seed, _sourceRow)));
            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            _view._host.Check(IsColumnActive(column), "The column is not active.");
            if (column.Index == 0)
            {
                ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> value) => value = _current.AsMemory();
                return text as ValueGetter<TValue> ?? throw _view._host.Except($"Column '{column.Name}' is text, not {typeof(TValue).Name}.");
            }
            var source = _source.GetGetter<TValue>(_view._label!.Value);
            var missing = Missing<TValue>();
            return (ref TValue value) =>
            {
                if (_copy < 0)
                    source(ref value);
                else
                    value = missing;
            };
        }

        /// <summary>The missing value of a label type: NaN for numbers, 0 for keys, empty for text.</summary>
        private static T Missing<T>()
        {
            if (typeof(T) == typeof(float))
                return (T)(object)float.NaN;
            if (typeof(T) == typeof(double))
                return (T)(object)double.NaN;
            return default!;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
