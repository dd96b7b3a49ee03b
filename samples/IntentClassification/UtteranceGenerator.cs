using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

/// <summary>
/// Writes the sample's built-in corpus: short messages to a banking chatbot in eight intents. Two of the intents,
/// transfer_to_savings and transfer_to_checking, use the same words and differ only in their order ("from savings to
/// checking" against "from checking to savings"), so a bag of words cannot tell them apart; other intents share
/// words on purpose (a balance question names an account, a lost card and a disputed charge both name the card).
/// Run with --generate to rewrite Data/intents.csv (the shipped file was made with seed 7 and 2500 utterances).
/// </summary>
internal static class UtteranceGenerator
{
    private static readonly string[] SavingsNames = { "savings", "my savings", "savings account", "my savings account", "the savings account", "saving account" };
    private static readonly string[] CheckingNames = { "checking", "my checking", "checking account", "my checking account", "current account", "my current account" };

    // {from} and {to} are the two accounts; the label depends only on which of them is the destination.
    private static readonly string[] TransferTemplates =
    {
        "transfer {amount} from {from} to {to}", "move {amount} from {from} to {to}", "send {amount} to {to} from {from}",
        "I want {amount} moved out of {from} into {to}", "put {amount} into {to} from {from}",
        "take {amount} out of {from} and put it in {to}", "from {from} to {to}, {amount}", "can I move money from {from} over to {to}",
        "I need to shift {amount} from {from} to {to}", "please top up {to} with {amount} from {from}",
        "{amount} from {from} to {to}", "move money out of {from} into {to}", "transfer from {from} to {to}",
        "how do I move funds from {from} to {to}", "fund {to} using {from}", "wire {amount} over to {to} out of {from}",
    };

    private static readonly Dictionary<string, string[]> Templates = new()
    {
        ["check_balance"] = new[]
        {
            "what is my balance", "how much money is in {account}", "show me the balance of {account}", "balance on {account}",
            "how much do I have left in {account}", "what's left in {account} after rent", "can you check {account} for me",
            "is there enough in {account} to transfer {amount}", "do I have {amount} in {account}", "current balance please",
            "tell me what I have in {account}", "how much can I spend this month", "how much is in my accounts",
        },
        ["lost_card"] = new[]
        {
            "I lost my {card}", "my {card} was stolen", "block my {card} right now", "I can't find my {card} anywhere",
            "someone took my wallet with my {card}", "freeze my {card}, it's missing", "I think I left my {card} at {merchant}",
            "please cancel my {card}, it was stolen", "my {card} is gone and I'm worried about charges", "report a stolen {card}",
            "I need a replacement for my lost {card}", "lock the {card} I lost yesterday",
        },
        ["dispute_charge"] = new[]
        {
            "there is a charge from {merchant} I don't recognize", "I was charged {amount} by {merchant} twice",
            "dispute a payment to {merchant}", "I never bought anything at {merchant}", "my {card} shows a charge I didn't make",
            "why was I charged {amount}", "there's a strange transaction of {amount} on my {card}", "refund the {merchant} charge please",
            "{merchant} billed me {amount} for something I returned", "I want to contest a transaction", "unknown charge on my statement",
            "I was double charged at {merchant}",
        },
        ["pay_bill"] = new[]
        {
            "pay my {bill} bill", "I need to pay the {bill} bill from {account}", "pay {amount} to {bill}", "settle my {bill} bill today",
            "schedule the {bill} payment for friday", "set up autopay for {bill}", "when is my {bill} bill due",
            "use {account} to pay {bill}", "pay the {bill} company {amount}", "make a payment to {bill}", "can you pay my {bill} bill",
            "I'd like to pay {bill} now",
        },
        ["branch_hours"] = new[]
        {
            "when does the branch open", "what time do you close today", "is the {city} branch open on saturday",
            "opening hours of the {city} office", "where is the nearest branch", "where is the closest ATM in {city}",
            "are you open on sundays", "how late is the {city} branch open", "find a branch near me", "what are your hours",
            "is there an ATM near {merchant}", "can I visit a branch in {city} tomorrow",
        },
        ["talk_to_agent"] = new[]
        {
            "I want to talk to a human", "let me speak to an agent", "connect me with a real person", "get me a representative",
            "this bot is useless, I need a person", "can I call someone", "transfer me to customer service", "talk to an agent about {account}",
            "I'd rather speak with someone", "is there a human I can chat with", "agent please", "put me through to a person",
        },
    };

    private static readonly string[] Amounts = { "$50", "50 dollars", "100", "$250", "twenty dollars", "500 bucks", "$1,000", "75 euros", "300", "$12.50" };
    private static readonly string[] Cards = { "card", "debit card", "credit card", "visa card", "bank card" };
    private static readonly string[] Merchants = { "Amazon", "the gas station", "Walmart", "a coffee shop", "Netflix", "the pharmacy", "Uber", "the airport" };
    private static readonly string[] Bills = { "electricity", "water", "phone", "internet", "gas", "credit card", "rent", "insurance" };
    private static readonly string[] Cities = { "Seattle", "Boston", "downtown", "Denver", "Austin", "Chicago" };
    private static readonly string[] Openers = { "", "", "", "hi ", "hey, ", "hello, ", "ok so ", "quick question: " };
    private static readonly string[] Closers = { "", "", "", " please", " thanks", "?", " asap", " thank you", "!", " now" };

    public static void Write(string path, int count, int seed)
    {
        var random = new Random(seed);
        // The transfer intents come up twice as often as the others: telling them apart is the hard part, and a
        // model needs more examples of it than of the rest.
        var intents = Templates.Keys.Concat(Enumerable.Repeat(new[] { "transfer_to_savings", "transfer_to_checking" }, 2).SelectMany(t => t)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var csv = new StringBuilder("Label,Text\n");
        var seen = new HashSet<string>();
        while (seen.Count < count)
        {
            var intent = intents[random.Next(intents.Length)];
            var utterance = intent.StartsWith("transfer_to_", StringComparison.Ordinal) ? Transfer(random, toSavings: intent == "transfer_to_savings") : Fill(random, Pick(random, Templates[intent]));
            utterance = Pick(random, Openers) + utterance + Pick(random, Closers);
            if (random.Next(3) == 0)
                utterance = utterance.ToLowerInvariant();
            // Duplicates would let the test set repeat training rows word for word and flatter every model.
            if (seen.Add(utterance))
                csv.Append(intent).Append(",\"").Append(utterance.Replace("\"", "\"\"")).Append("\"\n");
        }
        File.WriteAllText(path, csv.ToString());
    }

    private static string Transfer(Random random, bool toSavings)
    {
        var savings = Pick(random, SavingsNames);
        var checking = Pick(random, CheckingNames);
        return Fill(random, Pick(random, TransferTemplates).Replace("{from}", toSavings ? checking : savings).Replace("{to}", toSavings ? savings : checking));
    }

    private static string Fill(Random random, string template) => template
        .Replace("{amount}", Pick(random, Amounts))
        .Replace("{account}", Pick(random, random.Next(2) == 0 ? SavingsNames : CheckingNames))
        .Replace("{card}", Pick(random, Cards))
        .Replace("{merchant}", Pick(random, Merchants))
        .Replace("{bill}", Pick(random, Bills))
        .Replace("{city}", Pick(random, Cities));

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
