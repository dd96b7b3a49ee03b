using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.DocumentClassification;

/// <summary>A document with its category, and which sentence decides it (not a column).</summary>
public sealed class DocumentRow
{
    public string Text { get; set; } = "";

    public string Label { get; set; } = "";

    [Microsoft.ML.Data.NoColumn]
    public int DecisiveSentence { get; set; } = -1;
}

/// <summary>A document with a Boolean label, for the binary classifiers.</summary>
public sealed class BinaryDocumentRow
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>
/// Documents of 3 to 6 sentences. Exactly one sentence states the decision ("the committee decided to approve
/// the budget"); the others are filler that may mention other categories' words in passing ("someone asked
/// about the merger"), so counting words is not enough: the classifier must find the decisive sentence.
/// </summary>
public static class SyntheticDocuments
{
    public static readonly string[] Classes = { "budget", "merger", "hiring", "lawsuit" };

    private static readonly string[] Subjects = { "the committee", "the board", "our manager", "the director", "the panel" };
    private static readonly string[] Verbs = { "decided to approve", "finally approved", "voted to accept", "agreed to sign off" };
    private static readonly string[] Fillers =
    {
        "the weather was cold in the morning", "coffee was served in the hall", "several people arrived late",
        "the meeting room was booked twice", "a printer stopped working again", "lunch was ordered from the usual place",
        "the slides had a few typos", "someone opened a window", "the agenda was sent on monday", "notes were taken by the assistant",
    };
    private static readonly string[] Mentions = { "someone asked about the {0}", "a rumour about the {0} went around", "the {0} was not discussed" };

    public static List<DocumentRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<DocumentRow>();
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(Classes.Length);
            int sentences = random.Next(3, 7);
            int decisive = random.Next(sentences);
            var parts = new List<string>();
            for (int s = 0; s < sentences; s++)
            {
                string sentence;
                if (s == decisive)
                    sentence = $"{Pick(random, Subjects)} {Pick(random, Verbs)} the {Classes[label]}";
                else if (random.Next(2) == 0)
                    sentence = string.Format(Pick(random, Mentions), Classes[(label + 1 + random.Next(Classes.Length - 1)) % Classes.Length]);
                else
                    sentence = Pick(random, Fillers);
                parts.Add(char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".");
            }
            rows.Add(new DocumentRow { Text = string.Join(" ", parts), Label = Classes[label], DecisiveSentence = decisive });
        }
        return rows;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
