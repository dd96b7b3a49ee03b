using System;
using System.Collections.Generic;
using System.IO;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// Maps words to integer ids for embedding lookups. Id 0 is padding, id 1 stands for every unknown word, and the
/// words follow in the order chosen by the main library's <c>VocabularyBuilder</c>.
/// </summary>
internal sealed class Vocabulary
{
    /// <summary>The id that fills unused positions of padded sequences.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of every word not in the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>The display name of <see cref="PaddingId"/>; looking it up gives <see cref="UnknownId"/>.</summary>
    public const string PaddingWord = "<pad>";

    /// <summary>The first id of a real word: ids below it are <see cref="PaddingId"/> and <see cref="UnknownId"/>.</summary>
    public const int FirstWordId = 2;

    /// <summary>Number of real words (the entries after the special ones).</summary>
    public int WordCount => Count - FirstWordId;

    /// <summary>The display name of <see cref="UnknownId"/>.</summary>
    public const string UnknownWord = "<unk>";

    // Bump when the layout written by Write changes; Read rejects versions it does not know.
    private const int FormatVersion = 1;

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary whose word ids follow the order of <paramref name="words"/>, starting at 2.</summary>
    /// <exception cref="ArgumentException">A word is null, empty, repeated or one of the reserved names.</exception>
    public Vocabulary(IEnumerable<string> words)
    {
        var all = new List<string> { PaddingWord, UnknownWord };
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in words)
        {
            if (string.IsNullOrEmpty(word))
                throw new ArgumentException("Vocabulary words must not be null or empty.", nameof(words));
            if (word is PaddingWord or UnknownWord)
                throw new ArgumentException($"The word '{word}' is reserved for id {(word == PaddingWord ? PaddingId : UnknownId)}.", nameof(words));
            if (!_ids.TryAdd(word, all.Count))
                throw new ArgumentException($"The word '{word}' appears twice in the vocabulary.", nameof(words));
            all.Add(word);
        }
        _words = all.ToArray();
    }

    /// <summary>The number of ids, including padding and unknown.</summary>
    public int Count => _words.Length;

    /// <summary>The words by id; entries 0 and 1 are <see cref="PaddingWord"/> and <see cref="UnknownWord"/>.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The word with id <paramref name="id"/>.</summary>
    public string GetWord(int id)
    {
        if ((uint)id >= (uint)_words.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids go from 0 to {_words.Length - 1}.");
        return _words[id];
    }

    /// <summary>The id of <paramref name="word"/>, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int GetId(string word) => _ids.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>True when <paramref name="word"/> has its own id.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>Writes a format version, the word count and the words in id order (padding and unknown excluded).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(FormatVersion);
        writer.Write(_words.Length - 2);
        for (int id = FirstWordId; id < _words.Length; id++)
            writer.Write(_words[id]);
    }

    /// <summary>Reads a vocabulary written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The data has an unknown version or is inconsistent.</exception>
    public static Vocabulary Read(BinaryReader reader)
    {
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"Unsupported vocabulary format version {version}; expected {FormatVersion}.");
        int wordCount = reader.ReadInt32();
        if (wordCount < 0)
            throw new InvalidDataException($"Invalid vocabulary word count {wordCount}.");

        // Grown as words are read, never sized by the count alone: a damaged count cannot allocate more than the stream holds.
        var words = new List<string>(Math.Min(wordCount, 1 << 16));
        for (int i = 0; i < wordCount; i++)
            words.Add(reader.ReadString());
        try
        {
            return new Vocabulary(words);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("The stored vocabulary is invalid: " + e.Message, e);
        }
    }
}
