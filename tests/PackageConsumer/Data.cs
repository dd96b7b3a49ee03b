using System;
using System.Collections.Generic;
using System.Linq;

namespace PackageConsumer;

public sealed class SequenceRow
{
    /// <summary>Consecutive vectors of <see cref="Data.SequenceVectorSize"/> values.</summary>
    public float[] Sequence { get; set; } = Array.Empty<float>();

    public string Label { get; set; } = "";
}

public sealed class DocumentRow
{
    public string Text { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>Generated data whose label sits in one element of the input, so attention has something to find.</summary>
internal static class Data
{
    public const int SequenceVectorSize = 3;
    public static readonly string[] Topics = { "refund", "delivery", "password" };

    private static readonly string[] Requests = { "I want help with the {0}", "please sort out my {0}", "there is a problem with the {0}" };
    private static readonly string[] Chatter =
    {
        "thanks for reading this", "I wrote last week too", "the weather is nice today", "my neighbour says hello",
        "I have been a customer for years", "sorry for the long message",
    };

    /// <summary>Sequences of 2 to 6 vectors; the one whose first value is 3 carries the label in the sign of its second.</summary>
    public static List<SequenceRow> Sequences(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int length = random.Next(2, 7), marked = random.Next(length);
            bool up = random.Next(2) == 0;
            var values = Enumerable.Range(0, length * SequenceVectorSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            values[marked * SequenceVectorSize] = 3f;
            values[marked * SequenceVectorSize + 1] = up ? 1.5f : -1.5f;
            return new SequenceRow { Sequence = values, Label = up ? "up" : "down" };
        }).ToList();
    }

    /// <summary>Messages of 2 to 5 sentences; one of them names the topic, the others are chatter.</summary>
    public static List<DocumentRow> Documents(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var topic = Topics[random.Next(Topics.Length)];
            var sentences = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Chatter[random.Next(Chatter.Length)]).ToList();
            sentences.Insert(random.Next(sentences.Count + 1), string.Format(Requests[random.Next(Requests.Length)], topic));
            return new DocumentRow { Text = string.Join(" ", sentences.Select(s => char.ToUpperInvariant(s[0]) + s[1..] + ".")), Label = topic };
        }).ToList();
    }
}
