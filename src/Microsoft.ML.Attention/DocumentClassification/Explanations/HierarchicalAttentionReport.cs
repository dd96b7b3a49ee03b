using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace Microsoft.ML.Attention;

/// <summary>
/// Writes a self-contained HTML page (no external assets) that shows, for each document, the predicted and true
/// labels, the class probabilities, and the sentence and word attention as heat highlighting, in the manner of
/// the figures of Yang et al. (2016): a sentence's bar shows its weight; a word's shade shows
/// √(sentence weight) × word weight, so words of unimportant sentences stay pale.
/// </summary>
public static class HierarchicalAttentionReport
{
    /// <summary>Builds the HTML page.</summary>
    /// <param name="model">The trained network.</param>
    /// <param name="documents">The documents to show, in order.</param>
    /// <param name="title">Title of the page.</param>
    public static string ToHtml(HierarchicalAttentionTransformer model, IEnumerable<ReportDocument> documents, string title = "Hierarchical attention report")
    {
        if (model == null)
            throw new ArgumentNullException(nameof(model));
        if (documents == null)
            throw new ArgumentNullException(nameof(documents));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>").Append(Encode(title)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n<h1>").Append(Encode(title)).Append("</h1>\n");
        int index = 0;
        foreach (var document in documents)
            AppendDocument(html, model.Explain(document.Text), document.TrueLabel, ++index);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the HTML page to <paramref name="path"/> (UTF-8).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="model">The trained network.</param>
    /// <param name="documents">The documents to show, in order.</param>
    /// <param name="title">Title of the page.</param>
    public static void Write(string path, HierarchicalAttentionTransformer model, IEnumerable<ReportDocument> documents, string title = "Hierarchical attention report")
        => File.WriteAllText(path, ToHtml(model, documents, title), new UTF8Encoding(false));

    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}\n" +
        "section.document{border:1px solid #ccc;border-radius:6px;padding:1em;margin:1em 0}\n" +
        "section.document.wrong{border-color:#c33}\n" +
        "p.labels span{margin-right:1.5em}\n" +
        "table.probabilities td{padding:0 .5em}\n" +
        "div.bar{background:#4a7fd0;height:.8em}\n" +
        "div.sentence{display:flex;align-items:baseline;margin:.2em 0}\n" +
        "div.sentence-weight{width:4em;flex:none;margin-right:.8em}\n" +
        "div.sentence-weight div{background:#d04a4a;height:.9em}\n" +
        "span.word{border-radius:2px}\n" +
        "p.note{color:#777;font-size:.9em}\n";

    private static void AppendDocument(StringBuilder html, DocumentExplanation explanation, string? trueLabel, int index)
    {
        bool wrong = trueLabel != null && trueLabel != explanation.PredictedClass;
        html.Append("<section class=\"document").Append(wrong ? " wrong" : "").Append("\" id=\"document-").Append(index).Append("\">\n");
        html.Append("<h2>Document ").Append(index).Append("</h2>\n<p class=\"labels\"><span class=\"predicted\">Predicted: <b>")
            .Append(Encode(explanation.PredictedClass)).Append("</b></span>");
        if (trueLabel != null)
            html.Append("<span class=\"true\">True: <b>").Append(Encode(trueLabel)).Append("</b></span>");
        html.Append("</p>\n<table class=\"probabilities\">\n");
        foreach (var (name, probability) in explanation.Probabilities.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value)))
            html.Append("<tr><td>").Append(Encode(name)).Append("</td><td>").Append(probability.ToString("P1", CultureInfo.InvariantCulture))
                .Append("</td><td style=\"width:12em\"><div class=\"bar\" style=\"width:").Append(Percent(probability)).Append("\"></div></td></tr>\n");
        html.Append("</table>\n<div class=\"text\">\n");

        var strongestSentence = explanation.Sentences.Select(s => s.Weight).DefaultIfEmpty(1).Max();
        var strongestWord = explanation.Sentences.SelectMany(s => s.Words.Select(w => Math.Sqrt(s.Weight) * w.Weight)).DefaultIfEmpty(1).Max();
        foreach (var sentence in explanation.Sentences)
        {
            html.Append("<div class=\"sentence\" data-weight=\"").Append(Number(sentence.Weight)).Append("\">")
                .Append("<div class=\"sentence-weight\" title=\"sentence weight ").Append(Number(sentence.Weight)).Append("\"><div style=\"width:")
                .Append(Percent(strongestSentence > 0 ? sentence.Weight / strongestSentence : 0)).Append("\"></div></div><div>");
            int position = sentence.Start;
            foreach (var word in sentence.Words)
            {
                html.Append(Encode(explanation.Text.Substring(position, word.Start - position)));
                var shade = strongestWord > 0 ? Math.Sqrt(sentence.Weight) * word.Weight / strongestWord : 0;
                html.Append("<span class=\"word\" data-weight=\"").Append(Number(word.Weight)).Append("\" style=\"background:rgba(74,127,208,")
                    .Append(shade.ToString("0.###", CultureInfo.InvariantCulture)).Append(")\">").Append(Encode(word.Text)).Append("</span>");
                position = word.Start + word.Length;
            }
            html.Append(Encode(explanation.Text.Substring(position, sentence.Start + sentence.Length - position))).Append("</div></div>\n");
        }
        if (explanation.Sentences.Count == 0)
            html.Append("<p class=\"note\">No text: the prediction is the classifier's prior.</p>\n");
        if (explanation.Truncated)
            html.Append("<p class=\"note\">The document is longer than the model reads (MaximumSentences, MaximumWordsPerSentence); the rest is not shown.</p>\n");
        html.Append("</div>\n</section>\n");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double share) => (Math.Clamp(share, 0, 1) * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
