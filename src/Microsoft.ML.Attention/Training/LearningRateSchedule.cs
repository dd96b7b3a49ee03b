using System;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The learning rate at each step: a linear rise from 0 over the warm-up steps, then a linear fall to 0 at the last
/// step, as pretrained Transformers are fine-tuned; without warm-up the rate stays constant (the from-scratch models
/// train that way). The steps are Hugging Face's (<c>get_linear_schedule_with_warmup</c>, with the Trainer's
/// ceil(fraction × steps) warm-up steps): step 0 runs at rate 0 (it only fills AdamW's moment estimates), so a
/// fine-tuning run takes the same steps as the standard recipe's.
/// </summary>
internal readonly struct LearningRateSchedule
{
    private readonly double _peak;
    private readonly long _warmupSteps;
    private readonly long _totalSteps;

    public LearningRateSchedule(double peak, double warmupFraction, long totalSteps)
    {
        _peak = peak;
        _totalSteps = Math.Max(1, totalSteps);
        _warmupSteps = warmupFraction > 0 ? Math.Max(1, (long)Math.Ceiling(warmupFraction * _totalSteps - 1e-9)) : 0;
    }

    /// <summary>False when the rate is constant (no warm-up), so the optimizer's rate need not be touched.</summary>
    public bool Varies => _warmupSteps > 0;

    /// <summary>The rate of step <paramref name="step"/> (from 0).</summary>
    public double At(long step) => _peak * Factor(step);

    /// <summary>The share of the peak rate at step <paramref name="step"/>, for optimizers whose groups have different peaks.</summary>
    public double Factor(long step)
    {
        if (!Varies)
            return 1;
        if (step < _warmupSteps)
            return (double)step / _warmupSteps;
        return (double)Math.Max(0, _totalSteps - step) / Math.Max(1, _totalSteps - _warmupSteps);
    }
}
