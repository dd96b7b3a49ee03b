using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;

namespace AttentionBenchmarks;

/// <summary>
/// Issue 22: distillation of a fine-tuned all-MiniLM-L6-v2 teacher into the fast components, in one run.
///   dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --scenario distillation [--train N] [--append-docs]
/// The first N training documents (default 4000) keep their labels; the other training documents are the unlabeled
/// in-domain texts (their labels are dropped, key 0). The teacher is MiniLM fine-tuned on the labelled documents (1 epoch,
/// the featurizer's fine-tuning defaults, ≤256 tokens) → L2 → SdcaMaximumEntropy on the same documents; its class
/// probabilities over every training document become the column TeacherScore. Students, each with the library's
/// defaults (validation hold-out and early stopping included) and the distillation settings the sample uses
/// (temperature 1, weight 0.5): the hierarchical attention network and the from-scratch featurizer → SDCA, each trained
/// on the labels alone, distilled on the labelled documents, and distilled with the unlabeled texts added. For the
/// featurizer, SDCA always learns from the labelled documents only; what the teacher teaches is the featurizer.
/// With --augment COPIES, a student is also distilled on the labelled documents alone and their augmented copies
/// (mlContext.Data.AugmentForDistillation with the helper's defaults but CopiesPerRow = COPIES: masking, swaps for the
/// teacher's nearest words by its fine-tuned encoder, n-grams), the distillation without unlabeled text of issue 34;
/// that student starts from the teacher's word vectors the helper attaches to the text column (its default), carried
/// with the rows when they are read into memory or cached;
/// --no-unlabeled skips the students that read the unlabeled texts.
/// Every row reports accuracy on the test set, fit time, batched scoring docs/s and the peak resident memory of its fit
/// and scoring (VmHWM reset before each system).
/// </summary>
public static class DistillationScenario
{
    /// <summary>--temperature T (default 1).</summary>
    public static float Temperature { get; set; } = 1f;

    /// <summary>--weight W (default 0.5).</summary>
    public static float Weight { get; set; } = 0.5f;

    /// <summary>--students han,featurizer (default both).</summary>
    public static string[] Students { get; set; } = { "han", "featurizer" };

    /// <summary>
    /// --word-vectors teacher: the students also start from word vectors the teacher made (each word of the training
    /// texts encoded alone by the teacher's fine-tuned encoder, see <see cref="TeacherWordVectors"/>); both: each student
    /// row is run with and without them.
    /// </summary>
    public static string WordVectors { get; set; } = "none";

    /// <summary>
    /// --teacher-cache: keep the fitted teacher and its scores of the training texts in the data folder and reuse them
    /// (for experiments on the students; a table for docs/benchmarks.md comes from a run without it).
    /// </summary>
    public static bool TeacherCache { get; set; }

    /// <summary>--augment COPIES: copies per labelled document for the augmented student (0: no such student).</summary>
    public static int AugmentCopies { get; set; }

    /// <summary>--student-seed S: the seed of every student's MLContext (default 1; the teacher and the copies keep seed 1).</summary>
    public static int StudentSeed { get; set; } = 1;

    /// <summary>--no-unlabeled: no student reads the unlabeled texts.</summary>
    public static bool Unlabeled { get; set; } = true;

    public static IReadOnlyList<BenchmarkResult> Run(Corpus corpus, TextWriter log, int labelledCount)
    {
        var ml = Context(seed: 1);
        // Each student gets a context of its own with the same seed: students then differ only by what they learn from,
        // whatever ran before them (a teacher fitted or read from the cache, word vectors computed or read).
        MLContext Context(int seed)
        {
            var context = new MLContext(seed);
            context.Log += (_, e) =>
            {
                if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Training", StringComparison.Ordinal))
                    log.WriteLine($"[distillation] {e.Message}");
            };
            return context;
        }
        labelledCount = Math.Min(labelledCount, corpus.Train.Count);
        List<Row> labelled = corpus.Train.Take(labelledCount).Select(d => new Row { Label = d.Label, Text = d.Text }).ToList();
        // --no-unlabeled: the unlabeled texts are neither scored nor read.
        List<Row> unlabeled = Unlabeled ? corpus.Train.Skip(labelledCount).Select(d => new Row { Label = "", Text = d.Text }).ToList() : new List<Row>();
        // The label's keys come from all training labels, so the teacher's score vector and every student agree on the
        // classes; the empty label of an unlabeled text is not among them and reads as missing (key 0).
        ITransformer keys = ml.Transforms.Conversion.MapValueToKey("Label")
            .Fit(ml.Data.LoadFromEnumerable(corpus.Train.Select(d => new Row { Label = d.Label, Text = d.Text })));
        IDataView test = keys.Transform(ml.Data.LoadFromEnumerable(corpus.Test.Select(d => new Row { Label = d.Label, Text = d.Text })));
        IDataView Keyed(IEnumerable<Row> rows) => keys.Transform(ml.Data.LoadFromEnumerable(rows));
        var results = new List<BenchmarkResult>();
        string split = $"{labelled.Count}+{unlabeled.Count}";

        // The teacher.
        string cacheStem = Path.Combine(Program.DataDirectory, $"teacher-{Safe(corpus.Name)}-{labelled.Count}");
        Measure.ResetPeakMemory();
        ITransformer teacher = null!;
        double teacherSeconds;
        if (TeacherCache && File.Exists(cacheStem + ".zip"))
        {
            teacherSeconds = double.NaN;
            teacher = ml.Model.Load(cacheStem + ".zip", out _);
            log.WriteLine($"[distillation] teacher loaded from {cacheStem}.zip (its fit time is not measured)");
        }
        else
        {
            teacherSeconds = Measure.Seconds(() => teacher = ml.Transforms.Text.ApplyPretrainedEncoder(MiniLmFeaturizer.Options("Label", 1))
                .Append(ml.Transforms.NormalizeLpNorm("Features", "Embedding"))
                .AppendCacheCheckpoint(ml)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                .Fit(Keyed(labelled)));
            if (TeacherCache)
                ml.Model.Save(teacher, Keyed(labelled).Schema, cacheStem + ".zip");
        }
        results.Add(Evaluate(ml, "teacher: minilm-finetuned-sdca", corpus, split, teacher, test, teacherSeconds, labelled.Count,
            $"all-MiniLM-L6-v2 fine-tuned on the {labelled.Count} labelled documents (1 epoch, fine-tuning defaults, ≤256 tokens) → L2 → SDCA on them", log));
        double teacherDocsPerSecond = results[0].ScoreDocsPerSecond;

        // Its probabilities over every training text, read once; the students' fits read the column from memory.
        List<Row> training = labelled.Concat(unlabeled).ToList();
        float[][] teacherScores = TeacherCache && File.Exists(cacheStem + ".scores") ? ReadScores(cacheStem + ".scores") : Array.Empty<float[]>();
        if (teacherScores.Length != training.Count)
        {
            var watch = Stopwatch.StartNew();
            // Transform keeps the rows' order, so the i-th score belongs to the i-th training row.
            teacherScores = ml.Data.CreateEnumerable<ScoreRow>(teacher.Transform(Keyed(training)), reuseRowObject: false).Select(r => r.Score).ToArray();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[distillation] teacher scored {teacherScores.Length} training texts in {watch.Elapsed.TotalSeconds:F1} s ({teacherScores.Length / watch.Elapsed.TotalSeconds:F0} docs/s)"));
            if (TeacherCache)
                WriteScores(cacheStem + ".scores", teacherScores);
        }
        int classes = teacherScores[0].Length;
        var scored = training.Select((row, i) => new TaughtRow { Text = row.Text, Label = row.Label, TeacherScore = teacherScores[i] }).ToList();
        // The students keep their own sizes (HAN embeddings 200, featurizer width 128): the teacher's 384 dimensions are
        // reduced to their principal components.
        string? hanVectors = null, featurizerVectors = null;
        if (WordVectors != "none")
        {
            if (Students.Contains("han"))
                hanVectors = TeacherWordVectors(ml, teacher, Keyed(training), cacheStem + "-200.vec", 200, log);
            if (Students.Contains("featurizer"))
                featurizerVectors = TeacherWordVectors(ml, teacher, Keyed(training), cacheStem + "-128.vec", 128, log);
        }
        var (augmented, teacherWords) = AugmentCopies > 0 ? Augment(ml, teacher, Keyed(labelled), cacheStem, log) : (null, null);
        (teacher as IDisposable)?.Dispose();
        var taughtSchema = SchemaDefinition.Create(typeof(TaughtRow));
        taughtSchema[nameof(TaughtRow.TeacherScore)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        IDataView Taught(int count) => keys.Transform(ml.Data.LoadFromEnumerable(scored.Take(count), taughtSchema));
        IDataView taughtLabelled = Taught(labelled.Count), taughtAll = Taught(scored.Count);
        IDataView labelledOnly = Keyed(labelled);

        string?[] Choices(string? vectors) => WordVectors switch
        {
            "none" => new string?[] { null },
            "teacher" => new[] { vectors },
            _ => new[] { null, vectors },
        };
        var students = new (string Name, IDataView Data, string? Column, int Rows)[]
        {
            ("labels", labelledOnly, null, labelled.Count),
            ("distilled", taughtLabelled, "TeacherScore", labelled.Count),
            ("distilled + unlabeled", taughtAll, "TeacherScore", scored.Count),
        }.Where(s => Unlabeled || s.Name != "distilled + unlabeled").ToList();
        if (augmented != null)
        {
            // The rows were read into memory; the teacher's word vectors the helper attached to the text column go with them.
            var augmentedSchema = SchemaDefinition.Create(typeof(TaughtRow));
            augmentedSchema[nameof(TaughtRow.TeacherScore)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
            if (teacherWords is var (words, vectors, dimension))
            {
                augmentedSchema[nameof(TaughtRow.Text)].AddAnnotation("TeacherWords",
                    new VBuffer<ReadOnlyMemory<char>>(words.Length, words.Select(w => w.AsMemory()).ToArray()), new VectorDataViewType(TextDataViewType.Instance, words.Length));
                augmentedSchema[nameof(TaughtRow.Text)].AddAnnotation("TeacherWordVectors",
                    new VBuffer<double>(vectors.Length, vectors), new VectorDataViewType(NumberDataViewType.Double, words.Length, dimension));
            }
            students.Add(("distilled + augmented", keys.Transform(ml.Data.LoadFromEnumerable(augmented, augmentedSchema)), "TeacherScore", augmented.Count));
        }

        // Students: the hierarchical attention network.
        HierarchicalAttentionTrainer.Options Han(string? teacherColumn, string? vectors) => new()
        {
            LabelColumnName = "Label",
            TextColumnName = "Text",
            NumberOfThreads = 2,
            TeacherScoreColumnName = teacherColumn,
            DistillationTemperature = Temperature,
            DistillationWeight = Weight,
            PretrainedVectorsPath = vectors,
        };
        foreach (string? vectors in Students.Contains("han") ? Choices(hanVectors) : Array.Empty<string?>())
            foreach (var (name, data, column, rows) in students)
            {
                Measure.ResetPeakMemory();
                ITransformer model = null!;
                double seconds = Measure.Seconds(() => model = Context(StudentSeed).MulticlassClassification.Trainers.HierarchicalAttention(Han(column, vectors)).Fit(data));
                results.Add(Evaluate(ml, $"han{Vectors(vectors)}: {name}", corpus, split, model, test, seconds, rows,
                    Describe("HAN defaults" + Vectors(vectors), column, rows), log, teacherDocsPerSecond));
                (model as IDisposable)?.Dispose();
            }

        // Students: the from-scratch featurizer; SDCA on the labelled documents' vectors.
        SelfAttentionFeaturizingEstimator.Options Featurizer(string? teacherColumn, string? vectors)
        {
            return new SelfAttentionFeaturizingEstimator.Options
            {
                InputColumnName = "Text",
                OutputColumnName = "Embedding",
                LabelColumnName = "Label",
                NumberOfThreads = 2,
                TeacherScoreColumnName = teacherColumn,
                DistillationTemperature = Temperature,
                DistillationWeight = Weight,
                PretrainedVectorsPath = vectors,
            };
        }
        foreach (string? vectors in Students.Contains("featurizer") ? Choices(featurizerVectors) : Array.Empty<string?>())
            foreach (var (name, data, column, rows) in students)
            {
                Measure.ResetPeakMemory();
                ITransformer model = null!;
                double seconds = Measure.Seconds(() =>
                {
                    var student = Context(StudentSeed);
                    var featurizer = student.Transforms.Text.SelfAttentionFeaturize(Featurizer(column, vectors)).Fit(data);
                    var head = student.Transforms.NormalizeLpNorm("Features", "Embedding").AppendCacheCheckpoint(student)
                        .Append(student.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                        .Fit(featurizer.Transform(labelledOnly));
                    model = featurizer.Append(head);
                });
                results.Add(Evaluate(ml, $"featurizer-sdca{Vectors(vectors)}: {name}", corpus, split, model, test, seconds, rows,
                    Describe("featurizer defaults" + Vectors(vectors) + " → L2 → SDCA on the labelled documents", column, rows), log, teacherDocsPerSecond));
                (model as IDisposable)?.Dispose();
            }
        return results;
    }


    /// <summary>
    /// The labelled documents and their augmented copies (labels empty, so missing once keyed), each with the teacher's
    /// scores, read once; cached beside the teacher when <see cref="TeacherCache"/> is on.
    /// </summary>
    private static (List<TaughtRow> Rows, (string[] Words, double[] Vectors, int Dimension)? TeacherWords) Augment(
        MLContext ml, ITransformer teacher, IDataView labelled, string cacheStem, TextWriter log)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"{cacheStem}-augmented-{AugmentCopies}.rows");
        if (TeacherCache && File.Exists(path) && File.Exists(path + ".words"))
            return (ReadAugmented(path), ReadWords(path + ".words"));
        var watch = Stopwatch.StartNew();
        var view = ml.Data.AugmentForDistillation(teacher, labelled, new DistillationAugmentation.Options { CopiesPerRow = AugmentCopies, Seed = 1 });
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        view.Schema["Label"].GetKeyValues(ref keyValues);
        var names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        var rows = ml.Data.CreateEnumerable<AugmentedRow>(view, reuseRowObject: false)
            .Select(r => new TaughtRow { Text = r.Text, Label = r.Label == 0 ? "" : names[r.Label - 1], TeacherScore = r.Score }).ToList();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[distillation] augmentation: {rows.Count} rows ({rows.Count(r => r.Label.Length == 0)} augmented copies) made and scored by the teacher in {watch.Elapsed.TotalSeconds:F1} s"));
        (string[], double[], int)? words = null;
        var annotations = view.Schema["Text"].Annotations;
        if (annotations.Schema.GetColumnOrNull("TeacherWords") is { } wordsColumn && annotations.Schema.GetColumnOrNull("TeacherWordVectors") is { } vectorsColumn)
        {
            var w = default(VBuffer<ReadOnlyMemory<char>>);
            annotations.GetValue("TeacherWords", ref w);
            var v = default(VBuffer<double>);
            annotations.GetValue("TeacherWordVectors", ref v);
            words = (w.DenseValues().Select(x => x.ToString()).ToArray(), v.DenseValues().ToArray(), ((VectorDataViewType)vectorsColumn.Type).Dimensions[1]);
            log.WriteLine($"[distillation] the augmented view carries the teacher's vectors of {words.Value.Item1.Length} words");
        }
        if (TeacherCache)
        {
            WriteAugmented(path, rows);
            WriteWords(path + ".words", words);
        }
        return (rows, words);
    }

    private static (string[], double[], int)? ReadWords(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int count = reader.ReadInt32(), dimension = reader.ReadInt32();
        if (count == 0)
            return null;
        var words = Enumerable.Range(0, count).Select(_ => reader.ReadString()).ToArray();
        var vectors = Enumerable.Range(0, count * dimension).Select(_ => reader.ReadDouble()).ToArray();
        return (words, vectors, dimension);
    }

    private static void WriteWords(string path, (string[] Words, double[] Vectors, int Dimension)? words)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(words?.Words.Length ?? 0);
        writer.Write(words?.Dimension ?? 0);
        if (words is not var (w, v, _))
            return;
        foreach (string word in w)
            writer.Write(word);
        foreach (double x in v)
            writer.Write(x);
    }

    private static List<TaughtRow> ReadAugmented(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int count = reader.ReadInt32(), width = reader.ReadInt32();
        var rows = new List<TaughtRow>(count);
        for (int i = 0; i < count; i++)
            rows.Add(new TaughtRow { Text = reader.ReadString(), Label = reader.ReadString(), TeacherScore = Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray() });
        return rows;
    }

    private static void WriteAugmented(string path, List<TaughtRow> rows)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(rows.Count);
        writer.Write(rows[0].TeacherScore.Length);
        foreach (var row in rows)
        {
            writer.Write(row.Text);
            writer.Write(row.Label);
            foreach (float v in row.TeacherScore)
                writer.Write(v);
        }
    }

    /// <summary>
    /// Word vectors from the teacher, for students whose vocabulary is learned from the task: every word seen at least
    /// twice in the training texts, encoded alone by the teacher's fine-tuned encoder (<see cref="WordVectorFile"/>),
    /// reduced to the student's size, for <c>PretrainedVectorsPath</c>. Cached beside the teacher when <see cref="TeacherCache"/> is on.
    /// </summary>
    private static string TeacherWordVectors(MLContext ml, ITransformer teacher, IDataView training, string path, int dimension, TextWriter log)
    {
        if (TeacherCache && File.Exists(path))
            return path;
        var watch = Stopwatch.StartNew();
        int words = WordVectorFile.Write(ml, teacher, training, path, dimension: dimension);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[distillation] teacher word vectors ({dimension} principal components): {words} words in {watch.Elapsed.TotalSeconds:F1} s → {path}"));
        return path;
    }

    private static float[][] ReadScores(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int count = reader.ReadInt32(), width = reader.ReadInt32();
        var scores = new float[count][];
        for (int i = 0; i < count; i++)
        {
            scores[i] = new float[width];
            for (int j = 0; j < width; j++)
                scores[i][j] = reader.ReadSingle();
        }
        return scores;
    }

    private static void WriteScores(string path, float[][] scores)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(scores.Length);
        writer.Write(scores[0].Length);
        foreach (var row in scores)
            foreach (float v in row)
                writer.Write(v);
    }

    private static string Vectors(string? vectors) => vectors == null ? "" : " + teacher word vectors";

    private static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    private static string Describe(string what, string? teacherColumn, int rows)
        => teacherColumn is null
            ? $"{what}, trained on the labels of {rows} documents"
            : string.Create(CultureInfo.InvariantCulture, $"{what}, distilled (temperature {Temperature}, weight {Weight}) on {rows} documents");

    private static BenchmarkResult Evaluate(MLContext ml, string name, Corpus corpus, string split, ITransformer model, IDataView test,
        double fitSeconds, int trainRows, string notes, TextWriter log, double? teacherDocsPerSecond = null)
    {
        long fitPeak = Measure.PeakMemoryBytes();
        var predicted = new List<uint>(corpus.Test.Count);
        var gold = new List<uint>(corpus.Test.Count);
        // Warm-up, untimed, for every system alike: the first batches pay for JIT compilation and libtorch's first
        // allocations (a teacher loaded from a zip scored 207 docs/s cold against 273 warm).
        foreach (var _ in ml.Data.CreateEnumerable<PredictionRow>(model.Transform(ml.Data.TakeRows(test, 256)), reuseRowObject: true))
        {
        }
        double scoreSeconds = Measure.Seconds(() =>
        {
            foreach (var row in ml.Data.CreateEnumerable<PredictionRow>(model.Transform(test), reuseRowObject: true))
            {
                predicted.Add(row.PredictedLabel);
                gold.Add(row.Label);
            }
        });
        long peak = Math.Max(fitPeak, Measure.PeakMemoryBytes());
        (double accuracy, double macro) = Measure.Accuracy(
            gold.Select(g => g.ToString(CultureInfo.InvariantCulture)).ToList(), predicted.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList());
        double docsPerSecond = corpus.Test.Count / scoreSeconds;
        if (teacherDocsPerSecond is double t)
            notes += string.Create(CultureInfo.InvariantCulture, $"; scores {docsPerSecond / t:F0}x the teacher's docs/s");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[distillation] {name}: accuracy {accuracy:P1}, macro {macro:P1}, fit {fitSeconds:F1} s, scoring {docsPerSecond:F0} docs/s"));
        return new BenchmarkResult(name, corpus.Name, trainRows, corpus.Test.Count, accuracy, macro, fitSeconds, scoreSeconds, null, peak,
            $"labelled+unlabeled {split}; " + notes);
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class TaughtRow
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
        public float[] TeacherScore { get; set; } = Array.Empty<float>();
    }

    private sealed class AugmentedRow
    {
        public string Text { get; set; } = "";
        public uint Label { get; set; }
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class PredictionRow
    {
        public uint Label { get; set; }
        public uint PredictedLabel { get; set; }
    }
}
