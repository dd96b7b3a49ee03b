namespace Microsoft.ML.Attention.Text;

/// <summary>Converts tokenized documents to the id arrays the models consume.</summary>
internal static class TokenIds
{
    /// <summary>
    /// The vocabulary ids of <paramref name="document"/>'s tokens, one array per sentence; unknown words get
    /// <see cref="Vocabulary.UnknownId"/>. An empty document gives no sentences.
    /// </summary>
    public static int[][] FromDocument(TokenizedDocument document, Vocabulary vocabulary)
    {
        var sentences = new int[document.Sentences.Count][];
        for (int s = 0; s < sentences.Length; s++)
        {
            var tokens = document.Sentences[s].Tokens;
            var ids = new int[tokens.Count];
            for (int t = 0; t < ids.Length; t++)
                ids[t] = vocabulary.GetId(tokens[t].Text);
            sentences[s] = ids;
        }
        return sentences;
    }
}
