using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Classification;

/// <summary>
/// The classes of a classifier, named after the label's key values, so that Score carries slot names and
/// PredictedLabel carries key values: <c>MapKeyToValue</c> and confusion matrices then show the user's labels.
/// </summary>
internal sealed class ClassNames
{
    public ClassNames(string[] names) => Names = names;

    public string[] Names { get; }

    public int Count => Names.Length;

    /// <summary>
    /// Names from the text key values of a key-typed label (what <c>MapValueToKey</c> makes of string labels);
    /// "0", "1", … for labels without text key values.
    /// </summary>
    public static ClassNames FromLabel(DataViewSchema.Column label, int count)
    {
        var names = Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (keyValues?.Type is VectorDataViewType vector && vector.ItemType is TextDataViewType)
        {
            var values = default(VBuffer<ReadOnlyMemory<char>>);
            label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
            var dense = values.DenseValues().ToArray();
            for (int i = 0; i < Math.Min(count, dense.Length); i++)
                names[i] = dense[i].ToString();
        }
        return new ClassNames(names);
    }

    /// <summary>Annotations for a Score vector: the class names as slot names.</summary>
    public DataViewSchema.Annotations SlotNames()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddSlotNames(Count, (ref VBuffer<ReadOnlyMemory<char>> value) => value = Text());
        return builder.ToAnnotations();
    }

    /// <summary>Annotations for a PredictedLabel key: the class names as key values.</summary>
    public DataViewSchema.Annotations KeyValues()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddKeyValues(Count, TextDataViewType.Instance, (ref VBuffer<ReadOnlyMemory<char>> value) => value = Text());
        return builder.ToAnnotations();
    }

    private VBuffer<ReadOnlyMemory<char>> Text()
        => new VBuffer<ReadOnlyMemory<char>>(Count, Names.Select(n => n.AsMemory()).ToArray());

    // *** Binary format ***
    // int: number of classes
    // string[count]: class names
    public void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        foreach (var name in Names)
            writer.Write(name);
    }

    public static ClassNames Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 1)
            throw ModelFormat.Error("class names", $"a classifier needs at least one class; the model says {count}.");
        // Grown as names are read: a damaged count cannot allocate more than the stream holds.
        var names = new System.Collections.Generic.List<string>(Math.Min(count, 1 << 10));
        try
        {
            for (int i = 0; i < count; i++)
                names.Add(reader.ReadString());
        }
        catch (EndOfStreamException)
        {
            throw ModelFormat.Error("class names", $"the model stream ends after {names.Count} of the {count} class names it announces.");
        }
        catch (FormatException)
        {
            throw ModelFormat.Error("class names", $"the length of class name {names.Count + 1} of {count} is damaged.");
        }
        return new ClassNames(names.ToArray());
    }
}
