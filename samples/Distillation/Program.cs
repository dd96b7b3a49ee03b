// Knowledge distillation: all-MiniLM-L6-v2 fine-tuned on the labels (the teacher, through the self-attention
// featurizer and SDCA) teaches a hierarchical attention network (the student) with its class probabilities. Prints
// accuracy and docs/s of the teacher, of the student trained on labels alone and of the distilled student (also with
// the rest of the training texts added without labels, and also starting from the teacher's word vectors), and saves
// the last student, whose zip holds no teacher.
//
//   dotnet run --project samples/Distillation
//   dotnet run --project samples/Distillation -- --data my.csv --text-column Body --label-column Team --train 1000
//
// Options: --data FILE (CSV with a header row), --text-column NAME (default Text), --label-column NAME (default
// Label), --train N (labeled training rows, default 400; the other training rows are the unlabeled texts), --epochs N
// (the teacher's fine-tuning epochs at most, default 3), --model PATH (your own BERT-family teacher model).
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention;
using Microsoft.ML.Data;
using Spectre.Console;

var settings = SampleSettings.Parse(args);
var ml = new MLContext(seed: 1);
var split = CsvData.LoadAndSplit(ml, settings.DataPath, settings.TextColumn, settings.LabelColumn, "texts");
var rows = ml.Data.CreateEnumerable<TextRow>(ml.Data.ShuffleRows(split.TrainSet, seed: 1), reuseRowObject: false).ToList();
// The label's keys come from all the training rows, so the teacher's score vector and the student agree on the classes;
// an empty label is not among them and reads as missing (key 0).
var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows));
var train = keys.Transform(ml.Data.LoadFromEnumerable(rows.Take(settings.TrainingRows)));
var test = keys.Transform(split.TestSet);
var testRows = CsvData.Count(ml, split.TestSet);
AnsiConsole.MarkupLine($"Training on [bold]{settings.TrainingRows}[/] labeled rows; {testRows} test rows.");

var results = new Table().Title("Test set").AddColumns("System", "Accuracy", "Macro accuracy", "Fit (s)", "Scoring (docs/s)");
void Report(string name, ITransformer model, double fitSeconds)
{
    var clock = Stopwatch.StartNew();
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    results.AddRow(name, $"{metrics.MicroAccuracy:P1}", $"{metrics.MacroAccuracy:P1}", $"{fitSeconds:F1}", $"{testRows / clock.Elapsed.TotalSeconds:F0}");
    AnsiConsole.MarkupLine($"{Markup.Escape(name)}: accuracy [bold]{metrics.MicroAccuracy:P1}[/].");
}
T Timed<T>(Func<T> fit, out double seconds)
{
    var clock = Stopwatch.StartNew();
    var result = fit();
    seconds = clock.Elapsed.TotalSeconds;
    return result;
}

// The teacher: MiniLM fine-tuned on the labels, its vectors → SDCA (class probabilities in "Score").
var modelPath = settings.ModelPath ?? MiniLmModel.Extract(Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2"));
var teacherPipeline = ml.Transforms.Text.ApplyPretrainedEncoder(new PretrainedEncoderEstimator.Options
    {
        InputColumnName = "Text",
        OutputColumnName = "Embedding",
        ModelPath = modelPath,
        LabelColumnName = "Label",
        NumberOfEpochs = settings.Epochs,
        MaximumTokens = 64,   // utterances are short
    })
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Embedding"));
var teacher = Timed(() => teacherPipeline.Fit(train), out var teacherSeconds);
Report("Teacher: MiniLM fine-tuned → SDCA", teacher, teacherSeconds);

// The teacher's probabilities become a column of the training data, read once by the student's Fit.
IDataView Taught(IDataView data) => ml.Data.Cache(ml.Transforms.CopyColumns("TeacherScore", "Score").Fit(teacher.Transform(data))
    .Transform(teacher.Transform(data)));
HierarchicalAttentionTrainer.Options Student(string? teacherColumn, string? wordVectors = null) => new()
{
    LabelColumnName = "Label",
    TextColumnName = "Text",
    NumberOfEpochs = 10,
    TeacherScoreColumnName = teacherColumn,
    PretrainedVectorsPath = wordVectors,
    // SDCA on MiniLM's normalized vectors gives soft probabilities already: no further softening, half the loss from labels.
    DistillationTemperature = 1f,
    DistillationWeight = 0.5f,
};

var labelsOnly = Timed(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Student(null)).Fit(train), out var labelsSeconds);
Report("Student (HAN) on labels alone", labelsOnly, labelsSeconds);

var taught = Taught(train);
var distilled = Timed(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Student("TeacherScore")).Fit(taught), out var distilledSeconds);
Report("Student (HAN) distilled", distilled, distilledSeconds);

// The rest of the training texts, without their labels (key 0: missing), learn from the teacher alone.
var unlabeled = rows.Skip(settings.TrainingRows).Select(r => new TextRow { Text = r.Text, Label = "" }).ToList();
var withUnlabeled = Taught(keys.Transform(ml.Data.LoadFromEnumerable(rows.Take(settings.TrainingRows).Concat(unlabeled))));
var distilledMore = Timed(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Student("TeacherScore")).Fit(withUnlabeled), out var moreSeconds);
Report($"Student (HAN) distilled + {unlabeled.Count} unlabeled texts", distilledMore, moreSeconds);

// What the teacher knows of words: each word of the training texts encoded alone by the fine-tuned encoder, reduced to
// the HAN's embedding size (200), becomes the student's starting embedding instead of a random one.
var vectorsPath = Path.GetFullPath("teacher-word-vectors.vec");
var words = Timed(() => WordVectorFile.Write(ml, teacher, withUnlabeled, vectorsPath, dimension: 200), out var vectorsSeconds);
AnsiConsole.MarkupLine($"Teacher word vectors: {words} words → [bold]{Markup.Escape(vectorsPath)}[/].");
var distilledBest = Timed(() => ml.MulticlassClassification.Trainers.HierarchicalAttention(Student("TeacherScore", vectorsPath)).Fit(withUnlabeled),
    out var bestSeconds);
Report($"Student (HAN) distilled + {unlabeled.Count} unlabeled texts + teacher word vectors", distilledBest, vectorsSeconds + bestSeconds);
AnsiConsole.Write(results);

// The student worth shipping: distilled with the unlabeled texts, from the teacher's word vectors.
var savedPath = Path.GetFullPath("distilled-student.zip");
ml.Model.Save(distilledBest, test.Schema, savedPath);
var reloaded = new MLContext(seed: 1).Model.Load(savedPath, out _);
var again = ml.MulticlassClassification.Evaluate(reloaded.Transform(test));
AnsiConsole.MarkupLine($"Saved the distilled student ({new FileInfo(savedPath).Length / 1024} KiB, no teacher inside) to [bold]{Markup.Escape(savedPath)}[/]; " +
    $"reloaded, it scores {again.MicroAccuracy:P1}.");

/// <summary>A training row as the sample reads it.</summary>
public sealed class TextRow
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}
