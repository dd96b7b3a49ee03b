using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// Dropout whose masks, while training, come from the fit's generator (<see cref="FitGenerator"/>) rather than from
/// whatever else draws from libtorch's default generator at the same time; the identity in eval mode, unlocked.
/// </summary>
internal sealed class FitDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;

    public FitDropout(double rate) : base(nameof(FitDropout))
    {
        if (!(rate >= 0.0 && rate < 1.0))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        _rate = rate;
    }

    public override Tensor forward(Tensor input)
        => training && _rate > 0.0
            ? FitGenerator.Draw(() => nn.functional.dropout(input, _rate, training: true))
            : nn.functional.dropout(input, _rate, training: false);
}
