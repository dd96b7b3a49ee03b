using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Soft attention: the softmax over the allowed positions.
internal sealed class SoftDistribution : AttentionDistribution
{
    public SoftDistribution()
        : base(nameof(SoftDistribution))
    {
        RegisterComponents();
    }

    public override Tensor Normalize(Tensor scores, Tensor? mask) => Masking.Softmax(scores, mask);

    public override string Export(ExportGraph g, string scores, string mask, string? query) => Masking.ExportSoftmax(g, scores, mask);
}
