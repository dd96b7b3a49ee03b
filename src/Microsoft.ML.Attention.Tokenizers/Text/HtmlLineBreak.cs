namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Recognises the HTML line-break tags <c>&lt;br&gt;</c>, <c>&lt;br/&gt;</c> and <c>&lt;br /&gt;</c> (any case, any
/// spacing), which scraped reviews often use instead of newlines. Tags with attributes are not recognised.
/// </summary>
internal static class HtmlLineBreak
{
    /// <summary>
    /// When a line-break tag starts at <paramref name="start"/>, returns true and the index just after its
    /// closing <c>&gt;</c>.
    /// </summary>
    public static bool TryMatch(string text, int start, out int end)
    {
        end = start;
        if (start + 3 >= text.Length || text[start] != '<'
            || (text[start + 1] | 0x20) != 'b' || (text[start + 2] | 0x20) != 'r')
            return false;

        int i = SkipSpaces(text, start + 3);
        if (i < text.Length && text[i] == '/')
            i = SkipSpaces(text, i + 1);
        if (i >= text.Length || text[i] != '>')
            return false;

        end = i + 1;
        return true;
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
        return i;
    }
}
