using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// DistilBERT's feed-forward block (Hugging Face's FFN): dropout(lin2(activation(lin1(x)))), to which the block's
/// residual is added here so that inference adds it inside the product.
/// </summary>
internal sealed class DistilBertFeedForward : nn.Module
{
    private readonly Linear lin1;
    private readonly Linear lin2;
    private readonly FitDropout dropout;
    private readonly bool _gelu;

    public DistilBertFeedForward(DistilBertConfig config) : base(nameof(DistilBertFeedForward))
    {
        lin1 = nn.Linear(config.HiddenSize, config.FeedForwardSize);
        lin2 = nn.Linear(config.FeedForwardSize, config.HiddenSize);
        dropout = new FitDropout(config.Dropout);
        _gelu = config.Activation == DistilBertConfig.Gelu;
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden] → ffn(x) + x [B, T, hidden].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var inner = _gelu ? InferenceLinear.ForwardGelu(x, lin1) : nn.functional.relu(lin1.call(x));
        // Dropout is the identity in eval mode, so at inference the residual is added inside the product.
        var sum = training ? dropout.call(lin2.call(inner)).add(x, Scalars.One) : InferenceLinear.ForwardAdd(inner, lin2, x);
        return scope.MoveToOuter(sum);
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: lin2(activation(lin1(x))) + x.</summary>
    public string Export(ExportGraph g, string x)
    {
        var inner = g.Linear(x, lin1);
        return g.Add(g.Linear(_gelu ? g.Gelu(inner) : g.Unary("Relu", inner), lin2), x);
    }
}
