using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A BERT encoder (Hugging Face's BertModel without its pooler): embeddings, then post-norm layers. Its state
/// dictionary keys are Hugging Face's ("embeddings.word_embeddings.weight", "encoder.layer.3.attention.self.query.bias", ...).
/// </summary>
internal sealed class BertModel : EncoderModule
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;

    private readonly BertConfig _config;

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        _config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        RegisterComponents();
    }

    public override IEncoderConfig Config => _config;

    public override (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
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
