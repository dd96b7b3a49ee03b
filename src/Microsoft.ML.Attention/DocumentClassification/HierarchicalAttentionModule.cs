using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// Hierarchical attention network (Yang et al., 2016): word embeddings → bidirectional word encoder → word
/// attention → sentence vectors → bidirectional sentence encoder → sentence attention → document vector →
/// linear classifier. All sentences of a batch are encoded together.
/// </summary>
internal sealed class HierarchicalAttentionModule : nn.Module
{
    private readonly Embedding embedding;
    private readonly BidirectionalEncoder word_encoder;
    private readonly AttentionLayer word_attention;
    private readonly BidirectionalEncoder sentence_encoder;
    private readonly AttentionLayer sentence_attention;
    private readonly Linear classifier;
    private readonly FitDropout dropout;
    private readonly int _sentenceSize;
    private readonly int _documentSize;

    public HierarchicalAttentionModule(HanArchitecture architecture) : base(nameof(HierarchicalAttentionModule))
    {
        embedding = nn.Embedding(architecture.VocabularySize, architecture.EmbeddingSize, padding_idx: 0);
        word_encoder = new BidirectionalEncoder(architecture.Recurrent, architecture.EmbeddingSize, architecture.WordHiddenSize);
        word_attention = AttentionLayer.Create(architecture.ScoreFunction, AttentionDistributionKind.Soft,
            queryDim: 0, keyDim: 2 * architecture.WordHiddenSize, hiddenSize: architecture.AttentionSize);
        _sentenceSize = 2 * architecture.WordHiddenSize;
        sentence_encoder = new BidirectionalEncoder(architecture.Recurrent, _sentenceSize, architecture.SentenceHiddenSize);
        sentence_attention = AttentionLayer.Create(architecture.ScoreFunction, AttentionDistributionKind.Soft,
            queryDim: 0, keyDim: 2 * architecture.SentenceHiddenSize, hiddenSize: architecture.AttentionSize);
        _documentSize = 2 * architecture.SentenceHiddenSize;
        classifier = nn.Linear(_documentSize, architecture.Classes);
        dropout = new FitDropout(architecture.Dropout);
        RegisterComponents();
    }

    /// <summary>The embedding matrix [vocabulary, embedding], for loading pretrained vectors.</summary>
    public Tensor EmbeddingWeight => embedding.weight!;

    /// <summary>Logits [B, classes], word weights [S, Lmax] and sentence weights [B, Smax].</summary>
    public (Tensor Logits, Tensor WordWeights, Tensor SentenceWeights) Forward(DocumentBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        var words = dropout.call(embedding.call(batch.TokenIds));
        var wordStates = word_encoder.Encode(words, batch.SentenceLengths);
        var (sentenceVectors, wordWeights) = word_attention.Forward(null, wordStates, wordStates, batch.WordMask);

        // Place each sentence vector at its document's row; unused slots stay zero.
        var slots = torch.zeros(batch.Documents * batch.MaximumSentences, _sentenceSize, dtype: sentenceVectors.dtype);
        var sentences = slots.index_copy(0, batch.SentenceSlots, sentenceVectors.squeeze(1))
            .view(batch.Documents, batch.MaximumSentences, _sentenceSize);
        var sentenceStates = sentence_encoder.Encode(dropout.call(sentences), batch.DocumentLengths);
        var (documents, sentenceWeights) = sentence_attention.Forward(null, sentenceStates, sentenceStates, batch.SentenceMask);

        var logits = classifier.call(dropout.call(documents.squeeze(1)));
        return (logits.MoveToOuterDisposeScope(), wordWeights.squeeze(1).MoveToOuterDisposeScope(),
            sentenceWeights.squeeze(1).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The inference path of <see cref="Forward"/> in an exported graph. <paramref name="ids"/> int64 [N, S, W]: each
    /// document's sentences, 0 after a sentence's last word, sentences without words after a document's last sentence.
    /// Returns logits [N, classes], word weights [N, S, W] and sentence weights [N, S], zero at padding. A document
    /// without sentences gets a zero document vector, as the forward pass's placeholder sentence gives it.
    /// </summary>
    public (string Logits, string WordWeights, string SentenceWeights) Export(ExportGraph g, string ids, long width)
    {
        var rows = g.Op("Reshape", new[] { ids, g.Constant(new long[] { -1, width }) });                        // [N x S, W]
        var wordMask = g.Unary("Not", g.Op("Equal", new[] { rows, g.Constant(new long[] { 0 }) }));
        var wordCounts = g.ReduceSum(g.ToFloat(wordMask), -1, keepDims: false);                                  // [N x S]
        var words = g.Op("Gather", new[] { g.Weight(EmbeddingWeight), rows }, ("axis", 0L));                     // [N x S, W, E]
        var wordStates = word_encoder.Export(g, words, ToInt32(g, wordCounts));
        var (sentenceVectors, wordWeights) = word_attention.Export(g, null, wordStates, _sentenceSize, wordStates, wordMask);

        var documentsBySentences = g.Op("Slice", new[] { g.Op("Shape", new[] { ids }), g.Constant(new long[] { 0 }, 1), g.Constant(new long[] { 2 }, 1) });
        var sentences = g.Op("Reshape", new[] { sentenceVectors,
            g.Op("Concat", new[] { documentsBySentences, g.Constant(new long[] { _sentenceSize }, 1) }, ("axis", 0L)) });   // [N, S, 2 x word hidden]
        var sentenceMask = g.Op("Greater", new[] { g.Op("Reshape", new[] { wordCounts, documentsBySentences }), g.Scalar(0f) });
        var sentenceCounts = ToInt32(g, g.ReduceSum(g.ToFloat(sentenceMask), -1, keepDims: false));
        var sentenceStates = sentence_encoder.Export(g, sentences, sentenceCounts);
        var (documents, sentenceWeights) = sentence_attention.Export(g, null, sentenceStates, _documentSize, sentenceStates, sentenceMask);

        var logits = g.Add(g.MatMul(g.Squeeze(documents, 1), g.TransposedWeight(classifier.weight!)), g.Weight(classifier.bias!));
        return (logits, g.Op("Reshape", new[] { wordWeights, g.Op("Shape", new[] { ids }) }), g.Squeeze(sentenceWeights, 1));
    }

    // ONNX's recurrent operators take their sequence lengths as int32.
    private static string ToInt32(ExportGraph g, string counts) => g.Op("Cast", new[] { counts }, ("to", 6L));
}
