using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// DistilBERT's input layer: word piece + position embeddings (no token types), then a LayerNorm. Field names are
/// those of Hugging Face's DistilBERT Embeddings, so checkpoint keys map one to one.
/// </summary>
internal sealed class DistilBertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly FitDropout dropout;

    public DistilBertEmbeddings(DistilBertConfig config) : base(nameof(DistilBertEmbeddings))
    {
        word_embeddings = nn.Embedding(config.VocabularySize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, DistilBertConfig.LayerNormEpsilon);
        dropout = new FitDropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>ids [B, T] → [B, T, hidden].</summary>
    public Tensor Forward(Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        var positions = position_embeddings.call(Scalars.Range(ids.shape[1], ScalarType.Int64, ids.device)).unsqueeze(0);
        var x = word_embeddings.call(ids).add(positions, Scalars.One);
        return scope.MoveToOuter(dropout.call(LayerNorm.call(x)));
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: ids int64 [B, T] → [B, T, hidden].</summary>
    public string Export(ExportGraph g, string ids)
    {
        var positions = g.Lookup(position_embeddings.weight!, g.IntegerPositions(ids, 1));                   // [T, hidden]
        return g.LayerNorm(g.Add(g.Lookup(word_embeddings.weight!, ids), positions), LayerNorm, DistilBertConfig.LayerNormEpsilon);
    }
}
