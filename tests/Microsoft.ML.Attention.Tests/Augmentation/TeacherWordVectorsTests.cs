using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Tests.DocumentClassification;
using Microsoft.ML.Attention.Tests.Text;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Augmentation;

/// <summary>
/// The teacher's word vectors the augmented view carries to the student: a student trained on the view starts where it
/// would from the teacher's <see cref="WordVectorFile"/>, without the file.
/// </summary>
[TestClass]
public sealed class TeacherWordVectorsTests
{
    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class EmbeddingRow
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    private static DistillationAugmentation.Options Augmentation(bool attach) => new()
    {
        TeacherVectorColumnName = "Features",
        CopiesPerRow = 4,
        Seed = 3,
        AttachTeacherWordVectors = attach,
    };

    private static (MLContext Ml, ITransformer Teacher, IDataView Few, IDataView Test) Setup()
    {
        var ml = new MLContext(seed: 1);
        var teacher = DistillationAugmentationTests.Teacher(ml, DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(600, 100)));
        return (ml, teacher, DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(60, 1)),
            DistillationAugmentationTests.Keyed(ml, SyntheticDocuments.Generate(100, 99)));
    }

    private static float[] Flatten(IEnumerable<float[]> rows) => rows.SelectMany(r => r).ToArray();

    [TestMethod]
    public void TheViewCarriesTheTeachersUnitWordVectorsThroughACache()
    {
        var (ml, teacher, few, _) = Setup();
        var view = ml.Data.Cache(ml.Data.AugmentForDistillation(teacher, few, Augmentation(attach: true)));
        var text = view.Schema["Text"];
        var words = default(VBuffer<ReadOnlyMemory<char>>);
        text.Annotations.GetValue("TeacherWords", ref words);
        var type = (VectorDataViewType)text.Annotations.Schema["TeacherWordVectors"].Type;
        int teacherWidth = ((VectorDataViewType)teacher.GetOutputSchema(few.Schema)["Features"].Type).Size;
        Assert.AreEqual(words.Length, type.Dimensions[0]);
        Assert.AreEqual(teacherWidth, type.Dimensions[1], "the teacher's own dimension; the student reduces it");
        var names = words.DenseValues().Select(w => w.ToString()).ToList();
        CollectionAssert.Contains(names, "committee");
        CollectionAssert.Contains(names, ".", "punctuation, which the students read by default, is carried too");
        var vectors = default(VBuffer<double>);
        text.Annotations.GetValue("TeacherWordVectors", ref vectors);
        var values = vectors.DenseValues().ToArray();
        for (int w = 0; w < names.Count; w++)
        {
            double norm = Math.Sqrt(values.Skip(w * type.Dimensions[1]).Take(type.Dimensions[1]).Sum(v => v * v));
            Assert.IsTrue(Math.Abs(norm - 1) < 1e-5 || norm == 0, $"'{names[w]}' has norm {norm}");
        }

        var without = ml.Data.AugmentForDistillation(teacher, few, Augmentation(attach: false));
        Assert.IsNull(without.Schema["Text"].Annotations.Schema.GetColumnOrNull("TeacherWords"));
    }

    [TestMethod]
    public void AHanOnTheViewStartsFromTheTeachersWordVectorsAsFromTheirFile()
    {
        var (ml, teacher, few, test) = Setup();
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "teacher.vec");
        WordVectorFile.Write(ml, teacher, few, path, vectorColumnName: "Features", dimension: HanTestSettings.Small().EmbeddingSize);
        var carried = ml.Data.AugmentForDistillation(teacher, few, Augmentation(attach: true));
        var plain = ml.Data.AugmentForDistillation(teacher, few, Augmentation(attach: false));

        var messages = new List<string>();
        float[] Scores(IDataView data, string? vectors)
        {
            var student = new MLContext(seed: 7);
            student.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
            var o = HanTestSettings.Small(epochs: 3);
            o.SentenceWeightsColumnName = o.WordWeightsColumnName = null;
            o.TeacherScoreColumnName = "Score";
            o.PretrainedVectorsPath = vectors;
            var model = student.MulticlassClassification.Trainers.HierarchicalAttention(o).Fit(data);
            return Flatten(student.Data.CreateEnumerable<ScoreRow>(model.Transform(test), reuseRowObject: false).Select(r => r.Score));
        }
        var fromView = Scores(carried, null);
        Assert.IsTrue(messages.Any(m => m.Contains("Word vectors: the teacher's, carried by the text column 'Text'", StringComparison.Ordinal)),
            string.Join(Environment.NewLine, messages.Where(m => m.Contains("vectors", StringComparison.Ordinal))));
        var fromFile = Scores(plain, path);
        var fromScratch = Scores(plain, null);
        // Same vectors, same seeds, same machine and threads: the same network.
        CollectionAssert.AreEqual(fromFile, fromView);
        Assert.IsTrue(fromView.Zip(fromScratch, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the view's vectors changed nothing");
    }

    [TestMethod]
    public void AFeaturizerOnTheViewStartsFromTheTeachersWordVectorsAsFromTheirFile()
    {
        var (ml, teacher, few, test) = Setup();
        var settings = FeaturizerTestSettings.Small(epochs: 2);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "teacher.vec");
        WordVectorFile.Write(ml, teacher, few, path, vectorColumnName: "Features", minimumWordCount: settings.MinimumWordCount, dimension: settings.Width);
        var options = Augmentation(attach: true);
        options.MinimumWordCount = settings.MinimumWordCount;
        var carried = ml.Data.AugmentForDistillation(teacher, few, options);
        options.AttachTeacherWordVectors = false;
        var plain = ml.Data.AugmentForDistillation(teacher, few, options);

        float[] Embeddings(IDataView data, string? vectors)
        {
            var student = new MLContext(seed: 7);
            var o = FeaturizerTestSettings.Small(epochs: 2);
            o.TeacherScoreColumnName = "Score";
            o.PretrainedVectorsPath = vectors;
            var model = student.Transforms.Text.SelfAttentionFeaturize(o).Fit(data);
            return Flatten(student.Data.CreateEnumerable<EmbeddingRow>(model.Transform(test), reuseRowObject: false).Select(r => r.Embedding));
        }
        var fromView = Embeddings(carried, null);
        CollectionAssert.AreEqual(Embeddings(plain, path), fromView);
        Assert.IsTrue(fromView.Zip(Embeddings(plain, null), (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the view's vectors changed nothing");
    }

    private sealed class AnnotatedRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private static IDataView Annotated(MLContext ml, int words, int dimension, bool vectors = true, double value = 0.5)
    {
        var rows = SyntheticDocuments.Generate(60, 1).Select(r => new AnnotatedRow { Text = r.Text, Label = r.Label });
        var schema = SchemaDefinition.Create(typeof(AnnotatedRow));
        var names = new VBuffer<ReadOnlyMemory<char>>(words, Enumerable.Range(0, words).Select(i => $"word{i}".AsMemory()).ToArray());
        schema["Text"].AddAnnotation("TeacherWords", names, new VectorDataViewType(TextDataViewType.Instance, words));
        if (vectors)
        {
            var values = new VBuffer<double>(words * dimension, Enumerable.Repeat(value, words * dimension).ToArray());
            schema["Text"].AddAnnotation("TeacherWordVectors", values, new VectorDataViewType(NumberDataViewType.Double, words, dimension));
        }
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static HierarchicalAttentionTrainer.Options Student()
    {
        var o = HanTestSettings.Small(epochs: 1);
        o.SentenceWeightsColumnName = o.WordWeightsColumnName = null;
        return o;
    }

    [TestMethod]
    public void AnnotationsOfTheWrongShapeOrValuesAreRefusedNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.HierarchicalAttention(Student()).Fit(Annotated(ml, 5, 30, vectors: false)));
        StringAssert.Contains(missing.Message, "'Text'");
        StringAssert.Contains(missing.Message, "TeacherWordVectors");
        var nan = Assert.Throws<InvalidOperationException>(() =>
            ml.MulticlassClassification.Trainers.HierarchicalAttention(Student()).Fit(Annotated(ml, 5, 30, value: double.NaN)));
        StringAssert.Contains(nan.Message, "'Text'");
        StringAssert.Contains(nan.Message, "NaN");
    }

    [TestMethod]
    public void VectorsNarrowerThanTheStudentAreLeftWithAWarning()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        ml.MulticlassClassification.Trainers.HierarchicalAttention(Student()).Fit(Annotated(ml, 5, 4));
        Assert.IsTrue(warnings.Any(w => w.Contains("dimension 4, fewer than the student's 24", StringComparison.Ordinal)
            && w.Contains("EmbeddingSize", StringComparison.Ordinal)), string.Join(Environment.NewLine, warnings));
    }
}
