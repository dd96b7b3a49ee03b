using System;
using System.Collections.Generic;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Common English abbreviations whose final period does not end a sentence. Entries are stored lower-case and
/// without the final period ("e.g", "mr"). The list is deliberately short: a word like "no" is left out because
/// "He said no." ends sentences far more often than "No. 5" appears.
/// </summary>
internal static class EnglishAbbreviations
{
    private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        // Titles, which are always followed by a name.
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "hon", "gen", "gov", "sen", "rep",
        "capt", "col", "lt", "sgt", "messrs",
        // Latin and scholarly abbreviations.
        "e.g", "i.e", "etc", "vs", "cf", "al", "viz", "ibid", "approx", "ca", "fig", "vol", "pp", "ed", "eds",
        // Organisations and addresses.
        "inc", "ltd", "co", "corp", "dept", "univ", "ave", "blvd",
        // Months that are not also ordinary words.
        "jan", "feb", "apr", "aug", "sept", "oct", "nov", "dec",
        // Times, degrees and places written with internal periods.
        "a.m", "p.m", "ph.d", "u.s", "u.k", "u.s.a", "u.n", "e.u",
    };

    // Looking up spans avoids allocating a string for every period in a document.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when <paramref name="word"/> (without its final period) is a known abbreviation.</summary>
    public static bool Contains(ReadOnlySpan<char> word) => SpanLookup.Contains(word);
}
