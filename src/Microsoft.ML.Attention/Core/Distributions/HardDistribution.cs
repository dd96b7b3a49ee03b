using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Hard attention: every query attends to exactly one allowed key.
// Training: Gumbel-softmax y = softmax((s + g) / τ) over the allowed positions, g = -log(-log(u)), u ~ U(0, 1) drawn
// from the given generator (torch's global one when null). Masked positions have y = 0, so they are never chosen.
// With straight-through, the forward value is one_hot(argmax y) and the gradient is that of y; it is computed as
// one_hot + (y - y.detach()), which adds an exact 0 in the forward pass (one_hot - y.detach() + y would not give an
// exact 1 after rounding). Without straight-through, y itself is returned.
// Eval: one_hot(argmax of the scores over the allowed positions), deterministic and without gradient.
internal sealed class HardDistribution : AttentionDistribution
{
    // Lower bound for u, so -log(u) stays finite; representable in float32.
    private static readonly Scalar MinUniform = 1e-20.ToScalar();

    private readonly double _temperature;
    private readonly bool _straightThrough;
    private readonly Generator? _generator;

    public HardDistribution(double temperature = 1.0, bool straightThrough = true, Generator? generator = null)
        : base(nameof(HardDistribution))
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        _temperature = temperature;
        _straightThrough = straightThrough;
        _generator = generator;
        RegisterComponents();
    }

    public double Temperature => _temperature;

    public bool StraightThrough => _straightThrough;

    public override Tensor Normalize(Tensor scores, Tensor? mask)
    {
        var length = scores.shape[^1];
        if (length == 0)
            return scores * Scalars.Zero;

        using var scope = NewDisposeScope();
        var blocked = mask?.to_type(ScalarType.Bool).logical_not();
        Tensor result;
        if (training)
        {
            // Without a generator of its own the noise comes from the fit's (FitGenerator).
            var uniform = (_generator is null
                ? FitGenerator.Draw(() => rand(scores.shape, dtype: scores.dtype, device: scores.device))
                : rand(scores.shape, dtype: scores.dtype, device: scores.device, generator: _generator)).clamp_min(MinUniform);
            var gumbel = -(-uniform.log()).log();
            using var temperature = _temperature.ToScalar();
            var soft = Masking.Softmax(scores.add(gumbel, Scalars.One) / temperature, mask);
            result = _straightThrough ? OneHot(soft.detach().argmax(-1, keepdim: false), length, scores.dtype, blocked).add(soft - soft.detach(), Scalars.One) : soft;
        }
        else
        {
            var candidates = blocked is null ? scores.detach() : scores.detach().masked_fill(blocked, Scalars.NegativeInfinity);
            result = OneHot(candidates.argmax(-1, keepdim: false), length, scores.dtype, blocked);
        }
        return scope.MoveToOuter(result);
    }

    // The eval path: the first allowed position of highest score (ONNX's ArgMax, like torch's, takes the first of equal
    // maxima); a row without allowed positions gets zeros.
    public override string Export(ExportGraph g, string scores, string mask, string? query)
    {
        var choice = g.Op("ArgMax", new[] { g.Where(mask, scores, g.Scalar(float.NegativeInfinity)) }, ("axis", -1L), ("keepdims", 1L));
        var oneHot = g.ToFloat(g.Op("Equal", new[] { g.Positions(scores, -1), g.ToFloat(choice) }));
        return g.Where(mask, oneHot, g.Scalar(0f));
    }

    // A fully masked row has argmax 0 (all candidates equal); masking the one-hot turns that row into zeros.
    private static Tensor OneHot(Tensor index, long length, ScalarType dtype, Tensor? blocked)
    {
        var oneHot = nn.functional.one_hot(index, length).to_type(dtype);
        return blocked is null ? oneHot : oneHot.masked_fill(blocked, Scalars.Zero);
    }
}
