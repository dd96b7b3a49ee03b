using Microsoft.ML.Attention.Core;
using System.Collections.Generic;
using System.Linq;
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
    private readonly LayerStack<BertLayer> encoder;

    private readonly BertConfig _config;

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        _config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new LayerStack<BertLayer>(Enumerable.Range(0, config.NumberOfLayers).Select(_ => new BertLayer(config)));
        RegisterComponents();
    }

    public override IEncoderConfig Config => _config;

    protected override (Tensor States, IReadOnlyList<Tensor> Weights) Encode(Tensor ids, Tensor keyMask, bool needWeights)
        => encoder.Forward(embeddings.Forward(ids), keyMask, needWeights);

    protected override (string States, IReadOnlyList<string> Weights) ExportEncode(ExportGraph g, string ids, string keyMask)
        => encoder.Export(g, embeddings.Export(g, ids), keyMask);
}
