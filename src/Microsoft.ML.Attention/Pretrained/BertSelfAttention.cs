using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// BERT's self-attention: the query, key and value projections (Hugging Face's names), attended per head through the
/// attention core (<see cref="HeadAttention"/>): libtorch's fused kernel (with attention dropout inside it while
/// fine-tuning) unless the weights are wanted.
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
    {
        using var scope = torch.NewDisposeScope();
        // At inference the three projections are one product (InferenceLinear).
        var projected = InferenceLinear.Forward(x, query, key, value);
        var q = HeadAttention.SplitHeads(projected[0], _heads);
        var k = HeadAttention.SplitHeads(projected[1], _heads);
        var v = HeadAttention.SplitHeads(projected[2], _heads);
        bool dropping = training && _dropoutRate > 0.0;
        // Attention dropout while fine-tuning runs inside the fused kernel unless the weights are wanted: materializing
        // [B, heads, T, T] for it cost time and most of fine-tuning's activation memory.
        var (perHead, weights) = HeadAttention.Attend(q, k, v, mask, needWeights ? HeadAttention.ScaledDotSoftmaxWeights : null,
            dropping && needWeights ? dropout.call : null, fusedDropout: dropping ? _dropoutRate : 0.0);
        return (scope.MoveToOuter(HeadAttention.MergeHeads(perHead)), needWeights ? scope.MoveToOuter(weights!) : null);
    }
}
