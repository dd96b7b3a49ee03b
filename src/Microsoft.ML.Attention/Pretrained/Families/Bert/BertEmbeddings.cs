using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// BERT's input layer: word piece + learned position + token type (always type 0: single texts) embeddings, then a
/// LayerNorm. Field names are those of Hugging Face's BertEmbeddings (and RobertaEmbeddings, which differs only in its
/// position ids), so checkpoint keys map one to one.
/// </summary>
internal sealed class BertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly FitDropout dropout;
    private readonly double _epsilon;

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(config.VocabularySize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        token_type_embeddings = nn.Embedding(config.TypeVocabularySize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = new FitDropout(config.HiddenDropout);
        _epsilon = config.LayerNormEpsilon;
        RegisterComponents();
    }

    /// <summary>ids [B, T] → [B, T, hidden]; positions 0 to T - 1 unless <paramref name="positionIds"/> [B, T] (RoBERTa's) are given.</summary>
    public Tensor Forward(Tensor ids, Tensor? positionIds = null)
    {
        using var scope = torch.NewDisposeScope();
        var positions = positionIds is null
            ? position_embeddings.call(Scalars.Range(ids.shape[1], ScalarType.Int64, ids.device)).unsqueeze(0)
            : position_embeddings.call(positionIds);
        var typeZero = token_type_embeddings.weight![0];
        var x = word_embeddings.call(ids).add(positions, Scalars.One).add(typeZero, Scalars.One);
        return scope.MoveToOuter(dropout.call(LayerNorm.call(x)));
    }

    /// <summary>
    /// <see cref="Forward"/> at inference in an exported graph: ids int64 [B, T] → [B, T, hidden]; positions 0 to T - 1
    /// unless <paramref name="positionIds"/> int64 [B, T] are given.
    /// </summary>
    public string Export(ExportGraph g, string ids, string? positionIds = null)
    {
        var positions = g.Lookup(position_embeddings.weight!, positionIds ?? g.IntegerPositions(ids, 1));   // [T or B, T, hidden]
        using var typeZero = token_type_embeddings.weight![0];
        var x = g.Add(g.Add(g.Lookup(word_embeddings.weight!, ids), positions), g.Weight(typeZero));
        return g.LayerNorm(x, LayerNorm, _epsilon);
    }
}
