using Microsoft.ML.Attention.Core;
using System.Collections.Generic;
using System.Linq;
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
    private readonly LayerStack<DistilBertBlock> transformer;

    private readonly DistilBertConfig _config;

    public DistilBertModel(DistilBertConfig config) : base(nameof(DistilBertModel))
    {
        _config = config;
        embeddings = new DistilBertEmbeddings(config);
        transformer = new LayerStack<DistilBertBlock>(Enumerable.Range(0, config.NumberOfLayers).Select(_ => new DistilBertBlock(config)));
        RegisterComponents();
    }

    public override IEncoderConfig Config => _config;

    protected override (Tensor States, IReadOnlyList<Tensor> Weights) Encode(Tensor ids, Tensor keyMask, bool needWeights)
        => transformer.Forward(embeddings.Forward(ids), keyMask, needWeights);

    protected override (string States, IReadOnlyList<string> Weights) ExportEncode(ExportGraph g, string ids, string keyMask)
        => transformer.Export(g, embeddings.Export(g, ids), keyMask);
}
