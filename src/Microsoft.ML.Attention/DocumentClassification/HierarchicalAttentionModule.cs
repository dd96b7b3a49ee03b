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
        classifier = nn.Linear(2 * architecture.SentenceHiddenSize, architecture.Classes);
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
}
