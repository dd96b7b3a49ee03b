using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.TextFeaturization;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end of a self-attention featurizer trained from scratch: word tokenization, the vocabulary and the
/// long-text rule, exactly as its <c>Transform</c> applies them, turning a text into the token ids that the
/// featurizer's ONNX export takes. It lives in the Microsoft.ML.Attention.Tokenizers assembly (no TorchSharp, no
/// ML.NET). Get it from a fitted featurizer (<c>SelfAttentionFeaturizingTransformer.GetTokenizer</c>), write it with
/// <see cref="TextTokenizer.Save(Stream)"/> beside the ONNX file and read it with <see cref="Load(Stream)"/> where the
/// graph is scored.
/// </summary>
/// <remarks>
/// A text's ids are the windows the featurizer reads, one after the other, each <see cref="WindowWidth"/> ids long
/// (the featurizer's <c>MaximumTokens</c> less its classification token, which the graph adds), padded with 0 after
/// its last word: one window, or several with <see cref="LongTextHandling.SlidingWindow"/>. A null or blank text has one
/// window of 0s. Ids are 1 for a word the vocabulary does not hold. The export's token weights have the same layout.
/// </remarks>
public sealed class FeaturizerTokenizer : TextTokenizer
{
    private const string FeaturizerMagic = "SAFTOKEN";
    private const string Part = "featurizer tokenizer";

    private readonly TokenWindowEncoder _windows;

    internal FeaturizerTokenizer(TextPreprocessing text, Vocabulary vocabulary) : base(text, vocabulary)
    {
        // The classification token's id is the vocabulary's size (FeaturizerArchitecture.ClassificationTokenId); it is left out of the ids.
        _windows = TokenWindowEncoder.Create(text, vocabulary, vocabulary.Count);
    }

    /// <summary>The ids of one window: the featurizer's <c>MaximumTokens</c> less its classification token.</summary>
    public int WindowWidth => Settings.MaximumTokens!.Value - 1;

    /// <summary>What the featurizer does with texts longer than a window.</summary>
    public LongTextHandling LongText => Settings.LongText!.Value;

    private protected override int BlockWidth => WindowWidth;

    private protected override string Magic => FeaturizerMagic;

    // The featurizer's own windows, the classification token at 0 dropped.
    private protected override IEnumerable<int[]> Blocks(string? text) => _windows.Encode(text).Windows.Select(w => w[1..]);

    /// <summary>
    /// The token ids of several texts as one [texts, windows × <see cref="WindowWidth"/>] block, each row padded with 0 to
    /// the most windows of the batch: the input of an exported featurizer's graph.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="windows">The number of windows of each row.</param>
    public long[] TokenIds(IReadOnlyList<string?> texts, out int windows) => Batch(texts, out windows);

    /// <summary>Reads a tokenizer written by <see cref="TextTokenizer.Save(Stream)"/> of a <see cref="FeaturizerTokenizer"/>.</summary>
    /// <param name="stream">A readable stream positioned at the tokenizer; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no featurizer tokenizer, one of an unknown version, or a damaged one.</exception>
    public static FeaturizerTokenizer Load(Stream stream)
        => Load(stream, FeaturizerMagic, Part, "FeaturizerTokenizer.Save", (text, vocabulary) => new FeaturizerTokenizer(text, vocabulary));
}
