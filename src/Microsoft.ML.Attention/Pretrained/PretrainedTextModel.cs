using System.Collections.Generic;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A family's encoder and its pooling: word pieces [B, T] → token states → one vector per window. Mean, first-token and
/// max pooling have no weights; attention pooling (learned while fine-tuning) adds the core's attention layer. The
/// encoder is registered under its family's task-model prefix, so its checkpoint keys are those of Hugging Face task
/// models ("bert.encoder.layer.0.attention.self.query.weight", "distilbert.transformer.layer.0.attention.q_lin.weight").
/// </summary>
internal sealed class PretrainedTextModel : nn.Module
{
    private readonly EncoderModule _encoder;
    private readonly AttentionLayer? _poolingAttention;
    private readonly SequencePooling? _attentionPooling;

    public PretrainedTextModel(IEncoderConfig config, PoolingMode pooling) : base(nameof(PretrainedTextModel))
    {
        Pooling = pooling;
        _encoder = config.Family.CreateEncoder(config);
        if (pooling == PoolingMode.Attention)
        {
            // The same learned-context attention as the from-scratch featurizer's attention pooling.
            _poolingAttention = AttentionLayer.Create(AttentionScoreFunction.Location, AttentionDistributionKind.Soft, 0, config.HiddenSize, config.HiddenSize);
            _attentionPooling = new SequencePooling(pooling, new[] { _poolingAttention });
        }
        RegisterComponents();
    }

    // The encoder's key prefix is its family's, so its submodules are registered by name rather than by field. A parent
    // module (a fine-tuning head) calls this again when it registers this one: it must not add the fields' names.
    protected override void RegisterComponents()
    {
        if (_registered)
            return;
        _registered = true;
        register_module(_encoder.Config.Family.TaskModelPrefix, _encoder);
        if (_poolingAttention is not null)
            register_module("pooling_attention", _poolingAttention);
    }

    private bool _registered;

    /// <summary>The prefix of the encoder's keys in this module's checkpoint, for a configuration of its family.</summary>
    public static string EncoderPrefix(IEncoderConfig config) => config.Family.TaskModelPrefix + ".";

    public IEncoderConfig Config => _encoder.Config;

    public PoolingMode Pooling { get; }

    /// <summary>The encoder without pooling, for loading its weights.</summary>
    public EncoderModule Encoder => _encoder;

    /// <summary>The parameters of the input embeddings (word pieces, positions, token types and their LayerNorm).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> EmbeddingParameters()
    {
        foreach (var (name, parameter) in _encoder.named_parameters())
            if (name.StartsWith(EncoderModule.EmbeddingsPrefix, System.StringComparison.Ordinal))
                yield return parameter;
    }

    /// <summary>ids [B, T], mask bool [B, T] → states [B, T, hidden] and, when asked for, each layer's attention weights.</summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
        => _encoder.Forward(ids, mask, needWeights);

    /// <summary>
    /// <see cref="Forward"/> then <see cref="Pool"/> in an exported graph: ids int64 [B, T], mask bool [B, T] → [B, hidden]
    /// and each layer's attention weights [B, heads, T, T].
    /// </summary>
    public (string Pooled, IReadOnlyList<string> Weights) Export(ExportGraph g, string ids, string mask)
    {
        var (states, weights) = _encoder.Export(g, ids, mask);
        return (_attentionPooling is null
            ? SentencePooling.Export(g, states, mask, Pooling)
            : _attentionPooling.Export(g, states, mask, null, Config.HiddenSize).Pooled, weights);
    }

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
