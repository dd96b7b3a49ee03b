using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// Documents (sentences of token ids) laid out for one forward pass: every sentence of every document in one
/// padded [S, Lmax] block, encoded together; then a [B, Smax] layout of the sentence vectors per document.
/// A document without sentences gets one placeholder sentence that both attention masks hide, so it scores
/// with the classifier's bias alone (the prior) instead of failing.
/// </summary>
internal sealed class DocumentBatch : IDisposable
{
    public int Documents { get; }
    public int Sentences { get; }
    public int MaxWords { get; }
    public int MaximumSentences { get; }

    /// <summary>[S, Lmax] token ids, 0 = padding.</summary>
    public Tensor TokenIds { get; }
    /// <summary>[S] words per sentence, at least 1 (placeholders count 1).</summary>
    public Tensor SentenceLengths { get; }
    /// <summary>[S, Lmax] true at real words.</summary>
    public Tensor WordMask { get; }
    /// <summary>[S] position of each sentence in the flattened [B x Smax] layout.</summary>
    public Tensor SentenceSlots { get; }
    /// <summary>[B] sentences per document, at least 1.</summary>
    public Tensor DocumentLengths { get; }
    /// <summary>[B, Smax] true at real sentences.</summary>
    public Tensor SentenceMask { get; }

    /// <summary>For document b, sentence j: its row in the [S, ...] block (−1 for none).</summary>
    public int[][] SentenceRows { get; }

    public DocumentBatch(IReadOnlyList<int[][]> documents)
    {
        Documents = documents.Count;
        int sentences = 0, maxWords = 1, maxSentences = 1;
        foreach (var document in documents)
        {
            sentences += Math.Max(1, document.Length);
            maxSentences = Math.Max(maxSentences, document.Length);
            foreach (var sentence in document)
                maxWords = Math.Max(maxWords, sentence.Length);
        }
        Sentences = sentences;
        MaxWords = maxWords;
        MaximumSentences = maxSentences;

        var ids = new long[sentences * maxWords];
        var wordMask = new bool[sentences * maxWords];
        var lengths = new long[sentences];
        var slots = new long[sentences];
        var documentLengths = new long[documents.Count];
        var sentenceMask = new bool[documents.Count * maxSentences];
        SentenceRows = new int[documents.Count][];
        int row = 0;
        for (int b = 0; b < documents.Count; b++)
        {
            var document = documents[b];
            SentenceRows[b] = new int[document.Length];
            documentLengths[b] = Math.Max(1, document.Length);
            if (document.Length == 0)
            {
                lengths[row] = 1;
                slots[row] = b * maxSentences;
                row++;
                continue;
            }
            for (int j = 0; j < document.Length; j++)
            {
                var sentence = document[j];
                for (int t = 0; t < sentence.Length; t++)
                {
                    ids[row * maxWords + t] = sentence[t];
                    wordMask[row * maxWords + t] = true;
                }
                lengths[row] = Math.Max(1, sentence.Length);
                slots[row] = b * maxSentences + j;
                sentenceMask[b * maxSentences + j] = sentence.Length > 0;
                SentenceRows[b][j] = row;
                row++;
            }
        }

        TokenIds = OwnedTensor.From(ids, sentences, maxWords);
        WordMask = OwnedTensor.From(wordMask, sentences, maxWords);
        SentenceLengths = OwnedTensor.From(lengths, sentences);
        SentenceSlots = OwnedTensor.From(slots, sentences);
        DocumentLengths = OwnedTensor.From(documentLengths, documents.Count);
        SentenceMask = OwnedTensor.From(sentenceMask, documents.Count, maxSentences);
    }

    /// <summary>Groups of documents of similar shape for scoring (see <see cref="PaddedGroups"/>).</summary>
    public static IEnumerable<int[]> ScoringGroups(IReadOnlyList<int[][]> documents, int paddedWordBudget)
        => PaddedGroups.Split(documents.Select(d => (d.Length, d.Length == 0 ? 1 : d.Max(s => s.Length))).ToArray(), paddedWordBudget);

    public void Dispose()
    {
        TokenIds.Dispose();
        WordMask.Dispose();
        SentenceLengths.Dispose();
        SentenceSlots.Dispose();
        DocumentLengths.Dispose();
        SentenceMask.Dispose();
    }
}
