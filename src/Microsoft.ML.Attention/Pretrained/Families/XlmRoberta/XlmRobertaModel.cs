using Microsoft.ML.Attention.Core;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// An XLM-RoBERTa encoder (Hugging Face's XLMRobertaModel without its pooler): BERT's embeddings and post-norm layers
/// with RoBERTa's positions. Its state dictionary keys are Hugging Face's ("embeddings.word_embeddings.weight",
/// "encoder.layer.3.attention.self.query.bias", ...).
/// </summary>
internal sealed class XlmRobertaModel : EncoderModule
{
    private readonly BertEmbeddings embeddings;
    private readonly LayerStack<BertLayer> encoder;

    private readonly XlmRobertaConfig _config;

    public XlmRobertaModel(XlmRobertaConfig config) : base(nameof(XlmRobertaModel))
    {
        _config = config;
        embeddings = new BertEmbeddings(config.Bert);
        encoder = new LayerStack<BertLayer>(Enumerable.Range(0, config.Bert.NumberOfLayers).Select(_ => new BertLayer(config.Bert)));
        RegisterComponents();
    }

    public override IEncoderConfig Config => _config;

    protected override (Tensor States, IReadOnlyList<Tensor> Weights) Encode(Tensor ids, Tensor keyMask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var (states, weights) = encoder.Forward(embeddings.Forward(ids, Positions(ids, keyMask.reshape(ids.shape[0], ids.shape[1]), _config.PaddingId)), keyMask, needWeights);
        return (scope.MoveToOuter(states), weights.Select(w => scope.MoveToOuter(w)).ToArray());
    }

    protected override (string States, IReadOnlyList<string> Weights) ExportEncode(ExportGraph g, string ids, string keyMask)
    {
        // The export's ids hold 0 at padding and its mask is the real tokens: the same positions as Positions.
        var pad = g.Constant(new[] { (long)_config.PaddingId });
        var mask = g.Op("Reshape", new[] { keyMask, g.Op("Shape", new[] { ids }) });
        var real = g.Op("Cast", new[] { g.Op("And", new[] { g.Unary("Not", g.Op("Equal", new[] { ids, pad })), mask }) }, ("to", 7L));
        var positions = g.Add(g.Mul(g.Op("CumSum", new[] { real, g.Constant(new[] { 1L }) }), real), pad);
        return encoder.Export(g, embeddings.Export(g, ids, positions), keyMask);
    }

    /// <summary>
    /// RoBERTa's position ids [B, T]: a real token's is padding + 1 + the real tokens before it; padding's is
    /// <paramref name="padding"/> (Hugging Face's create_position_ids_from_input_ids, where real means not the padding
    /// id; here also inside the mask, whatever id pads the batch).
    /// </summary>
    public static Tensor Positions(Tensor ids, Tensor mask, long padding)
    {
        using var scope = torch.NewDisposeScope();
        using var pad = padding.ToScalar();
        var real = ids.ne(pad).logical_and(mask).to(ScalarType.Int64);
        return scope.MoveToOuter(real.cumsum(1).mul(real).add(pad, Scalars.IntegerOne));
    }
}
