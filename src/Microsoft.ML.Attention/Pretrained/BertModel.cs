using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A BERT encoder (Hugging Face's BertModel without its pooler): embeddings, then post-norm layers. Its state
/// dictionary keys are Hugging Face's ("embeddings.word_embeddings.weight", "encoder.layer.3.attention.self.query.bias", ...).
/// </summary>
internal sealed class BertModel : nn.Module
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        RegisterComponents();
    }

    public BertConfig Config { get; }

    /// <summary>
    /// ids [B, T] (int64), mask bool [B, T] true at real tokens. Returns the states [B, T, hidden] and, when asked for,
    /// each layer's attention weights [B, heads, T, T]; without them attention runs in libtorch's fused kernel.
    /// </summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
    {
        using var scope = torch.NewDisposeScope();
        var keys = mask.reshape(mask.shape[0], 1, 1, mask.shape[1]);
        var (states, weights) = encoder.Forward(embeddings.Forward(ids), keys, needWeights);
        var kept = new Tensor[weights.Count];
        for (int i = 0; i < kept.Length; i++)
            kept[i] = scope.MoveToOuter(weights[i]);
        return (scope.MoveToOuter(states), kept);
    }
}
