using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// BERT's self-attention: the query, key and value projections (Hugging Face's names), attended per head
/// (<see cref="SelfAttentionHeads"/>): libtorch's fused kernel (with attention dropout inside it while fine-tuning)
/// unless the weights are wanted.
/// </summary>
internal sealed class BertSelfAttention : nn.Module
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly FitDropout dropout;
    private readonly long _heads;
    private readonly double _dropoutRate;

    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = new FitDropout(config.AttentionDropout);
        _heads = config.NumberOfHeads;
        _dropoutRate = config.AttentionDropout;
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, hidden], mask bool [B, 1, 1, T] (true = real token). Returns the merged heads [B, T, hidden] and,
    /// when asked for, the weights [B, heads, T, T].
    /// </summary>
    public (Tensor Context, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights)
        => SelfAttentionHeads.Attend(x, mask, query, key, value, _heads, training, _dropoutRate, dropout, needWeights);

    /// <summary><see cref="Forward"/> at inference in an exported graph: x [B, T, hidden], keyMask bool [B, 1, 1, T] → the merged heads and the weights.</summary>
    public (string Context, string Weights) Export(ExportGraph g, string x, string keyMask) => SelfAttentionHeads.Export(g, x, keyMask, query, key, value, _heads);
}
