using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// BERT's post-norm residual step: LayerNorm(dropout(dense(x)) + input). Hugging Face has two classes of this shape
/// with the same keys ("dense", "LayerNorm"): BertSelfOutput after self-attention (from the width) and BertOutput
/// after the feed-forward block (from the intermediate size); one class serves both here.
/// </summary>
internal sealed class BertOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly FitDropout dropout;
    private readonly double _epsilon;

    public BertOutput(BertConfig config, int inputSize) : base(nameof(BertOutput))
    {
        dense = nn.Linear(inputSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = new FitDropout(config.HiddenDropout);
        _epsilon = config.LayerNormEpsilon;
        RegisterComponents();
    }

    /// <summary>x [B, T, inputSize], input [B, T, hidden] (the residual) → [B, T, hidden].</summary>
    public Tensor Forward(Tensor x, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        // Dropout is the identity in eval mode, so at inference the residual is added inside the product.
        var sum = training ? dropout.call(dense.call(x)).add(input, Scalars.One) : InferenceLinear.ForwardAdd(x, dense, input);
        return scope.MoveToOuter(LayerNorm.call(sum));
    }

    /// <summary><see cref="Forward"/> at inference in an exported graph: LayerNorm(dense(x) + input).</summary>
    public string Export(ExportGraph g, string x, string input) => g.LayerNorm(g.Add(g.Linear(x, dense), input), LayerNorm, _epsilon);
}
