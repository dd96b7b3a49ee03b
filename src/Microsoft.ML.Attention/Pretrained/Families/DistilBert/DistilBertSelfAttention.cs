using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// DistilBERT's self-attention (Hugging Face's MultiHeadSelfAttention): q_lin, k_lin, v_lin attended per head
/// (<see cref="SelfAttentionHeads"/>), then out_lin, to which the block's residual is added here so that inference
/// adds it inside the product. Unlike BERT, no dropout follows out_lin.
/// </summary>
internal sealed class DistilBertSelfAttention : nn.Module
{
    private readonly Linear q_lin;
    private readonly Linear k_lin;
    private readonly Linear v_lin;
    private readonly Linear out_lin;
    private readonly FitDropout dropout;
    private readonly long _heads;
    private readonly double _dropoutRate;

    public DistilBertSelfAttention(DistilBertConfig config) : base(nameof(DistilBertSelfAttention))
    {
        q_lin = nn.Linear(config.HiddenSize, config.HiddenSize);
        k_lin = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_lin = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_lin = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = new FitDropout(config.AttentionDropout);
        _heads = config.NumberOfHeads;
        _dropoutRate = config.AttentionDropout;
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, hidden], mask bool [B, 1, 1, T] (true = real token). Returns out_lin(attention) + x [B, T, hidden] and,
    /// when asked for, the weights [B, heads, T, T].
    /// </summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights)
    {
        using var scope = torch.NewDisposeScope();
        var (context, weights) = SelfAttentionHeads.Attend(x, mask, q_lin, k_lin, v_lin, _heads, training, _dropoutRate, dropout, needWeights);
        var output = InferenceLinear.ForwardAdd(context, out_lin, x);
        return (scope.MoveToOuter(output), weights is null ? null : scope.MoveToOuter(weights));
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: out_lin(attention) + x [B, T, hidden] and the weights.</summary>
    public (string Output, string Weights) Export(ExportGraph g, string x, string keyMask)
    {
        var (context, weights) = SelfAttentionHeads.Export(g, x, keyMask, q_lin, k_lin, v_lin, _heads);
        return (g.Add(g.Linear(context, out_lin), x), weights);
    }
}
