using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>Varied texts for the pretrained-encoder tests: empty, CJK, accents, symbols, control separators, long.</summary>
internal static class TestTexts
{
    public static readonly string[] Tricky =
    {
        "",
        " ",
        "Hello, world!",
        "The quick brown fox jumps over the lazy dog.",
        "words\tseparated\nonly\rby\r\ncontrol characters",
        "line one\nline two\n\nline four",
        "price: $5 + $3 = $8",
        "a < b > c | d ~ e ^ f ` g",
        "It is 25°C outside 😀 and 🎉 fun",
        "emoji only 😀😀",
        "我喜欢机器学习和自然语言处理。",
        "日本語のテキストも少しあります",
        "한국어 문장도 있습니다",
        "Café, naïve résumé, jalapeño, Ångström",
        "UPPER CASE and MiXeD cAsE",
        "don't can't won't it's",
        "e-mail: someone@example.com, https://example.org/path?q=1&r=2",
        "numbers 3.14159 and 1,000,000 and 42%",
        "(parentheses) [brackets] {braces} «guillemets» “quotes” ‘single’",
        "tab\tonly",
        "zero\u200Bwidth joiner\u200Dhere and soft\u00ADhyphen",
        "control\u0007bell and null\u0000char",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "— em dash – en dash … ellipsis",
        "#hashtag @mention *stars* _underscores_",
        "Привет, мир! Это тест.",
        "مرحبا بالعالم",
        "Ελληνικά γράμματα",
        "mixed 中文 and English 混合",
        new string('a', 120),
    };

    private static readonly string[] Words = ("the a of to and in is for on with this that package library tool data file system user server network "
        + "kernel driver support python module documentation development files binary utility command line interface graphics audio video "
        + "image text editor game font theme desktop manager service daemon client protocol security test framework plugin extension").Split(' ');

    /// <summary>At least <paramref name="count"/> texts: the tricky ones, then generated sentences of 1 to 60 words and a few of 300+ words.</summary>
    public static IReadOnlyList<string> Varied(int count, int seed = 7)
    {
        var random = new Random(seed);
        var texts = new List<string>(Tricky);
        while (texts.Count < count)
        {
            int length = texts.Count % 15 == 0 ? 300 + random.Next(100) : 1 + random.Next(60);
            var words = Enumerable.Range(0, length).Select(_ => Words[random.Next(Words.Length)]).ToArray();
            if (random.Next(3) == 0)
                words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
            var separator = random.Next(5) == 0 ? "\n" : " ";
            texts.Add(string.Join(separator, words) + (random.Next(2) == 0 ? "." : "!"));
        }
        return texts;
    }
}
