using Microsoft.ML.Attention.Training;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Training;

[TestClass]
public sealed class LearningRateScheduleTests
{
    [TestMethod]
    public void WarmupRisesLinearlyThenTheRateFallsLinearlyToZero()
    {
        // 20 steps, 10% warm-up = 2 steps: 0 and 0.5 of the peak (Hugging Face's linear schedule), the peak at step 2,
        // then falling by 1/18 a step.
        var schedule = new LearningRateSchedule(1e-3, 0.1, 20);
        Assert.IsTrue(schedule.Varies);
        Assert.AreEqual(0, schedule.At(0), 1e-15);
        Assert.AreEqual(0.5e-3, schedule.At(1), 1e-15);
        Assert.AreEqual(1e-3, schedule.At(2), 1e-15);
        Assert.AreEqual(1e-3 * 17 / 18, schedule.At(3), 1e-15);
        Assert.AreEqual(1e-3 * 1 / 18, schedule.At(19), 1e-15);
        for (int step = 2; step < 19; step++)
            Assert.IsTrue(schedule.At(step + 1) < schedule.At(step), $"falls at step {step}");
    }

    [TestMethod]
    public void WarmupStepsAreTheCeilingOfTheFraction()
    {
        // 250 steps x 10% = 25 warm-up steps exactly; 251 steps x 10% = 25.1, so 26 (the Trainer's math.ceil).
        Assert.AreEqual(1e-3, new LearningRateSchedule(1e-3, 0.1, 250).At(25), 1e-15);
        Assert.AreEqual(1e-3 * 25 / 26, new LearningRateSchedule(1e-3, 0.1, 251).At(25), 1e-15);
        Assert.AreEqual(1e-3, new LearningRateSchedule(1e-3, 0.1, 251).At(26), 1e-15);
    }

    [TestMethod]
    public void WithoutWarmupTheRateIsConstant()
    {
        var schedule = new LearningRateSchedule(5e-4, 0, 100);
        Assert.IsFalse(schedule.Varies);
        Assert.AreEqual(5e-4, schedule.At(0));
        Assert.AreEqual(5e-4, schedule.At(99));
    }
}
