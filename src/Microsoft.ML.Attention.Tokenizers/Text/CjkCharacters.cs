namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Classifies East Asian characters. Chinese and Japanese are written without spaces, so without a segmentation
/// dictionary the only safe unit is one character per token; Hangul syllables are treated the same way for
/// consistency.
/// </summary>
internal static class CjkCharacters
{
    /// <summary>
    /// True for code points that become a token on their own. The ranges are: CJK Unified Ideographs
    /// (U+4E00–U+9FFF), Extension A (U+3400–U+4DBF), Extensions B–I (U+20000–U+2EBEF), Extensions G–H
    /// (U+30000–U+323AF), CJK Compatibility Ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F), Hiragana (U+3040–U+309F),
    /// Katakana (U+30A0–U+30FF, U+31F0–U+31FF), halfwidth Katakana (U+FF66–U+FF9F) and Hangul syllables
    /// (U+AC00–U+D7AF).
    /// </summary>
    public static bool IsStandaloneCharacter(int codePoint) =>
        (codePoint >= 0x4E00 && codePoint <= 0x9FFF)
        || (codePoint >= 0x3400 && codePoint <= 0x4DBF)
        || (codePoint >= 0x20000 && codePoint <= 0x2EBEF)
        || (codePoint >= 0x30000 && codePoint <= 0x323AF)
        || (codePoint >= 0xF900 && codePoint <= 0xFAFF)
        || (codePoint >= 0x2F800 && codePoint <= 0x2FA1F)
        || (codePoint >= 0x3040 && codePoint <= 0x309F)
        || (codePoint >= 0x30A0 && codePoint <= 0x30FF)
        || (codePoint >= 0x31F0 && codePoint <= 0x31FF)
        || (codePoint >= 0xFF66 && codePoint <= 0xFF9F)
        || (codePoint >= 0xAC00 && codePoint <= 0xD7AF);

    /// <summary>
    /// True for the full-width (and halfwidth) sentence-ending marks 。！？｡. Unlike their ASCII counterparts they end a
    /// sentence even when no space follows, because CJK text has no spaces.
    /// </summary>
    public static bool IsSentenceTerminator(char c) => c is '。' or '！' or '？' or '｡';
}
