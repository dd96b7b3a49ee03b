using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

/// <summary>
/// Writes the sample's built-in corpus: customer support tickets in four categories. Each ticket has greetings
/// and small talk, one or two sentences that state the actual problem, and sometimes a sentence that mentions
/// another category in passing, so the classifier has to find the sentences that matter.
/// Run with --generate to rewrite Data/tickets.csv (the shipped file was made with seed 2024 and 2400 tickets).
/// </summary>
internal static class TicketGenerator
{
    private static readonly Dictionary<string, string[]> Problems = new()
    {
        ["billing"] = new[]
        {
            "I was charged twice for my subscription this month", "the invoice shows an amount I never agreed to",
            "my refund has still not arrived on my card", "your payment page rejected my credit card",
            "I need a corrected invoice with our company tax number", "the annual plan was billed at the monthly price",
        },
        ["shipping"] = new[]
        {
            "my parcel has been stuck at the depot for a week", "the tracking number you sent does not work",
            "the package arrived damaged and the box was wet", "the courier left my order at the wrong address",
            "only two of the three items were delivered", "delivery was promised for Monday but nothing came",
        },
        ["technical"] = new[]
        {
            "the app crashes every time I open the settings screen", "I get error 500 when I upload a file",
            "the sync between my phone and laptop stopped working", "after the update the login button does nothing",
            "exports to PDF come out blank", "the dashboard takes minutes to load since yesterday",
        },
        ["account"] = new[]
        {
            "I cannot reset my password because the email never arrives", "please merge my two accounts into one",
            "I want to change the email address on my profile", "my account was locked after too many attempts",
            "please delete my account and all my personal data", "I need to add a second administrator to our team",
        },
    };

    private static readonly string[] Openings = { "Hello team!", "Hi there!", "Good morning.", "Dear support team.", "Hi!" };
    private static readonly string[] SmallTalk =
    {
        "I have been a happy customer for years", "I hope you are doing well", "I tried to find the answer in the help pages",
        "this is the second time I am writing", "my colleague recommended your service", "I am writing from my phone, sorry for typos",
        "we use your product every day at the office", "it is quite urgent for us",
    };
    private static readonly string[] Asides = { "this is not about the {0} issue I reported last year", "my {0} is fine by the way", "unlike last time, {0} is not the problem" };
    private static readonly Dictionary<string, string> AsideTopic = new()
    {
        ["billing"] = "invoice", ["shipping"] = "delivery", ["technical"] = "app", ["account"] = "password",
    };
    private static readonly string[] Closings = { "Thanks in advance", "Best regards", "Looking forward to your reply", "Thank you for your help", "Cheers" };

    public static void Write(string path, int count, int seed)
    {
        var random = new Random(seed);
        var categories = Problems.Keys.ToArray();
        var csv = new StringBuilder("Label,Text\n");
        for (int i = 0; i < count; i++)
        {
            var category = categories[random.Next(categories.Length)];
            var sentences = new List<string> { Pick(random, Openings) };
            for (int s = random.Next(0, 3); s > 0; s--)
                sentences.Add(Capitalize(Pick(random, SmallTalk)) + ".");
            foreach (var problem in Problems[category].OrderBy(_ => random.Next()).Take(random.Next(1, 3)))
                sentences.Insert(random.Next(1, sentences.Count + 1), Capitalize(problem) + (random.Next(4) == 0 ? "!" : "."));
            if (random.Next(3) == 0)
            {
                var other = categories.Where(c => c != category).ToArray()[random.Next(categories.Length - 1)];
                sentences.Insert(random.Next(1, sentences.Count + 1), Capitalize(string.Format(Pick(random, Asides), AsideTopic[other])) + ".");
            }
            sentences.Add(Pick(random, Closings) + ".");
            csv.Append(category).Append(",\"").Append(string.Join(" ", sentences).Replace("\"", "\"\"")).Append("\"\n");
        }
        File.WriteAllText(path, csv.ToString());
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
