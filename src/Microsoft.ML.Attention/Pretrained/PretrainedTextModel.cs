using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A BERT encoder and its pooling: word pieces [B, T] → token states → one vector per window. Mean, first-token and
/// max pooling have no weights; attention pooling (learned while fine-tuning) adds the core's attention layer. The
/// encoder sits under the field <c>bert</c>, so its checkpoint keys are those of Hugging Face task models
/// ("bert.encoder.layer.0.attention.self.query.weight", ...).
/// </summary>
internal sealed class PretrainedTextModel : nn.Module
{
    /// <summary>The prefix of the encoder's keys in this module's checkpoint (its field name).</summary>
    public const string EncoderPrefix = "bert.";

    private readonly BertModel bert;
    private readonly AttentionLayer? pooling_attention;
    private readonly SequencePooling? _attentionPooling;

    public PretrainedTextModel(BertConfig config, PoolingMode pooling) : base(nameof(PretrainedTextModel))
    {
        Config = config;
        Pooling = pooling;
        bert = new BertModel(config);
        if (pooling == PoolingMode.Attention)
        {
            // The same learned-context attention as the from-scratch featurizer's attention pooling.
            pooling_attention = AttentionLayer.Create(AttentionScoreFunction.Location, AttentionDistributionKind.Soft, 0, config.HiddenSize, config.HiddenSize);
            _attentionPooling = new SequencePooling(pooling, new[] { pooling_attention });
        }
        RegisterComponents();
    }

    public BertConfig Config { get; }

    public PoolingMode Pooling { get; }

    /// <summary>The encoder without pooling, for loading its weights.</summary>
    public BertModel Bert => bert;

    /// <summary>The parameters of the input embeddings (word pieces, positions, token types and their LayerNorm).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> EmbeddingParameters()
    {
        foreach (var (name, parameter) in bert.named_parameters())
            if (name.StartsWith("embeddings.", System.StringComparison.Ordinal))
                yield return parameter;
    }

    /// <summary>ids [B, T], mask bool [B, T] → states [B, T, hidden] and, when asked for, each layer's attention weights.</summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
        => bert.Forward(ids, mask, needWeights);

    /// <summary>states [B, T, hidden], mask [B, T] → [B, hidden], over every real token ([CLS] and [SEP] included, as sentence-transformers pools).</summary>
    public Tensor Pool(Tensor states, Tensor mask)
    {
        if (_attentionPooling is null)
            return SentencePooling.Pool(states, mask, Pooling);
        using var scope = torch.NewDisposeScope();
        var (pooled, _) = _attentionPooling.Pool(states, mask);
        return scope.MoveToOuter(pooled);
    }
}
