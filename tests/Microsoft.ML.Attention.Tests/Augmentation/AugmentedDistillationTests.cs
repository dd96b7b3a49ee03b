using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Augmentation;

/// <summary>The augmentation's purpose: with few labels, a student distilled on augmented texts follows its teacher more closely.</summary>
[TestClass]
public sealed class AugmentedDistillationTests
{
    private sealed class Prediction
    {
        public uint PredictedLabel { get; set; }
    }

    private static uint[] Predictions(MLContext ml, ITransformer model, IDataView data)
        => ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.PredictedLabel).ToArray();

    /// <summary>Agreement with the teacher on held-out texts of students distilled on the labelled rows alone and with augmentation.</summary>
    internal static (double Alone, double Augmented) Agreement(int seed, int labelled, int aloneEpochs = 6, int copies = 20)
    {
        var ml = new MLContext(seed);
        var teacher = DistillationAugmentationTests.Teacher(ml, DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(600, 100)));
        var test = DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(300, 99));
        var teacherSays = Predictions(ml, teacher, test);
        var few = DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(labelled, seed));

        HierarchicalAttentionTrainer.Options Student(int epochs)
        {
            var o = HanTestSettings.Small(epochs);
            o.SentenceWeightsColumnName = o.WordWeightsColumnName = null;
            o.TeacherScoreColumnName = "Score";
            o.DistillationTemperature = 1f;
            o.DistillationWeight = 0.5f;
            return o;
        }
        double Agree(IDataView training, int epochs)
        {
            var student = ml.MulticlassClassification.Trainers.HierarchicalAttention(Student(epochs)).Fit(training);
            var says = Predictions(ml, student, test);
            return says.Zip(teacherSays, (s, t) => s == t ? 1.0 : 0.0).Average();
        }
        double alone = Agree(teacher.Transform(few), aloneEpochs);
        double augmented = Agree(ml.Data.AugmentForDistillation(teacher, few, new DistillationAugmentation.Options
        {
            TeacherVectorColumnName = "Features",
            CopiesPerRow = copies,
        }), 6);
        Console.WriteLine($"seed {seed}, {labelled} labelled rows, {aloneEpochs} epochs alone, {copies} copies: agreement with the teacher {alone:P1} alone, {augmented:P1} with augmentation");
        return (alone, augmented);
    }

    [TestMethod]
    public void WithFewLabelsTheAugmentedStudentAgreesMoreWithItsTeacher()
    {
        // Seeds 1 to 7 gave +46 to +63 points (agreement 21-34% alone, 76-86% augmented).
        var (alone, augmented) = Agreement(seed: 1, labelled: 40, copies: 10);
        Assert.IsTrue(augmented >= alone + 0.25, $"augmented {augmented:P1} against the labelled rows alone {alone:P1}");
    }
}
