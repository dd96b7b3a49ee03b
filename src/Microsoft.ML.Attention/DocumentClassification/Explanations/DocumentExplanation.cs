using System.Collections.Generic;

namespace Microsoft.ML.Attention;

/// <summary>A word of an explained document: where it is in the original text and the attention it received.</summary>
/// <param name="Text">The word as written in the document.</param>
/// <param name="Start">Index of its first character in the document text.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="Weight">Word-level attention within its sentence; the weights of a sentence sum to 1.</param>
public sealed record WordExplanation(string Text, int Start, int Length, float Weight);

/// <summary>A sentence of an explained document with its attention and its words.</summary>
/// <param name="Text">The sentence as written in the document.</param>
/// <param name="Start">Index of its first character in the document text.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="Weight">Sentence-level attention; the weights of a document sum to 1.</param>
/// <param name="Words">The words the model read, in order.</param>
public sealed record SentenceExplanation(string Text, int Start, int Length, float Weight, IReadOnlyList<WordExplanation> Words);

/// <summary>
/// Why a hierarchical attention network classified a document as it did: the class probabilities and the
/// attention on each sentence and word, aligned to spans of the original text.
/// </summary>
/// <param name="Text">The document text (empty for null).</param>
/// <param name="PredictedClass">Name of the most probable class.</param>
/// <param name="Probabilities">Probability of every class, by class name, in class order.</param>
/// <param name="Sentences">The sentences the model read. Sentences beyond <c>MaximumSentences</c> are not included.</param>
/// <param name="Truncated">True when the length limits cut part of the document before the model read it.</param>
public sealed record DocumentExplanation(string Text, string PredictedClass, IReadOnlyList<KeyValuePair<string, float>> Probabilities,
    IReadOnlyList<SentenceExplanation> Sentences, bool Truncated);
