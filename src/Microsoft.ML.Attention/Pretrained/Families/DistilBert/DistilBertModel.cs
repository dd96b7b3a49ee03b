using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A DistilBERT encoder (Hugging Face's DistilBertModel): embeddings, then post-norm transformer blocks. Its state
/// dictionary keys are Hugging Face's ("embeddings.word_embeddings.weight", "transformer.layer.3.attention.q_lin.bias", ...).
/// </summary>
internal sealed class DistilBertModel : EncoderModule
{
    private readonly DistilBertEmbeddings embeddings;
    private readonly DistilBertTransformer transformer;

    private readonly DistilBertConfig _config;

    public DistilBertModel(DistilBertConfig config) : base(nameof(DistilBertModel))
    {
        _config = config;
        embeddings = new DistilBertEmbeddings(config);
        transformer = new DistilBertTransformer(config);
        RegisterComponents();
    }

    public override IEncoderConfig Config => _config;

    public override (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
    {
        using var scope = torch.NewDisposeScope();
        var keys = mask.reshape(mask.shape[0], 1, 1, mask.shape[1]);
        var (states, weights) = transformer.Forward(embeddings.Forward(ids), keys, needWeights);
        var kept = new Tensor[weights.Count];
        for (int i = 0; i < kept.Length; i++)
            kept[i] = scope.MoveToOuter(weights[i]);
        return (scope.MoveToOuter(states), kept);
    }
}
