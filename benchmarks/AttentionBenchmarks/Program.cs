using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace AttentionBenchmarks;

/// <summary>
/// Usage: dotnet run -c Release --project benchmarks/AttentionBenchmarks -- [options]
///   --corpus debian|wordnet|wordnet-all|fortunes|bible|manpages|imdb|synthetic   corpus to use (default debian; see WordNetCorpus,
///                               FortuneCorpus, BibleCorpus, ManPageCorpus, ImdbCorpus)
///   --only NAME[,NAME]          systems to run (default: all); --list prints the names
///   --corpus-only               build/load the corpus, print counts, run nothing
///   --rebuild-corpus            rebuild the Debian corpus from the apt lists even if cached
///   --min-body N                minimum long-description length in characters (default 80; implies --rebuild-corpus)
///   --data DIR                  cache folder (default benchmarks/data under the repository root)
///   --append-docs [PATH]        append the results with environment details (default docs/benchmarks.md)
///   --train N                   minilm-finetuned-sdca and minilm-finetuned-head: fine-tune on the first N training documents (default 4000)
///   --limit N                   keep only the first N training and the first N test documents (checks on small inputs)
///   --scenario NAME             instead of the systems: sdca-checkpoint (see CheckpointScenario), memory-han or
///                               memory-featurizer (see MemoryScenario); with --documents N, --passes N, --train N,
///                               --score N, --calls N, --malloc library|none|arenas|arenas+trim; or minilm-ids (ids and
///                               check vectors for benchmarks/reference/minilm_finetune.py, see MiniLmIdsScenario); or distillation
///                               (teacher, students on labels, distilled, distilled + unlabeled; --train N labelled
///                               documents, default 4000; --temperature T, --weight W, --students han,featurizer,
///                               --word-vectors none|teacher|both, --teacher-cache, --student-seed S, --augment COPIES (a student distilled on the
///                               labelled documents and their augmented copies), --no-unlabeled; see DistillationScenario); or concurrency (scoring from several
///                               threads at once, --threads N, default 4; see ConcurrencyScenario); or finetuned-speed
///                               (frozen against fine-tuned encoding speed; see FineTunedSpeedScenario); or finetune-recipe
///                               (fine-tune on the first --train N labelled documents → SDCA on them, per seed: --seeds 1,2,3,
///                               --lr X, --epochs N, --validation F, --batch N; see FineTuningRecipeScenario); or frozen-speed
///                               (frozen encoding against ONNX Runtime at its best, --score N texts, default 2000; see FrozenSpeedScenario);
///                               or training-speed (each component's Fit with the defaults on --train N documents, default 4000:
///                               --components han,featurizer,pooling, --repeat R; see TrainingSpeedScenario); or han-scoring
///                               (the HAN's batched scoring of the test documents; see HanScoringScenario); or embedding-generator
///                               (GenerateAsync against Transform, frozen MiniLM, --score N texts, default 2000; see EmbeddingGeneratorScenario);
///                               or calibration (HAN, fine-tuned MiniLM and FeaturizeText + SDCA: calibration error before and
///                               after temperature scaling, --train N, --finetune-train M, --seeds, --epochs, --systems; see CalibrationScenario);
///                               or load-time (loading valid models and scoring after it, --train N; see LoadTimeScenario);
///                               or onnx-export (the HAN and frozen MiniLM → SDCA exported with ConvertToOnnx: labels, scores and
///                               docs/s against Transform, published sizes of samples/OnnxDeployment; --train N; see OnnxExportScenario);
///                               or loader-fuzz (issue 33's mutation campaign: --cases N damaged inputs of each kind, default
///                               800, --seeds S[,S]; needs no corpus; see LoaderFuzzScenario)
///   --mmap-threshold BYTES      sets the AppContext setting Microsoft.ML.Attention.TrainingMmapThreshold
/// </summary>
public static class Program
{
    /// <summary>All known systems. Add new ones here.</summary>
    public static readonly IReadOnlyList<IBenchmarkSystem> Systems = new IBenchmarkSystem[]
    {
        new FeaturizeSdcaSystem(),
        new HanSystem(),
        new HanSystem(epochs: 1),
        new FeaturizerSdcaSystem(),
        new FeaturizerSdcaSystem(epochs: 1),
        new FeaturizerNgramsSdcaSystem(),
        new SelfSupervisedSdcaSystem(),
        new FastTextStyleSystem(),
        new OnnxRuntimeMiniLmSdcaSystem(),
        new MiniLmFrozenSdcaSystem(),
        new MiniLmFineTunedSdcaSystem(),
        new MiniLmFineTunedSdcaSystem(withNgrams: true),
        new MiniLmFineTunedHeadSystem(),
    };

    /// <summary>The --data folder (corpus cache; also where systems keep extracted model files, e.g. minilm/).</summary>
    public static string DataDirectory { get; private set; } = "";

    /// <summary>--train N when given: also the number of documents minilm-finetuned-sdca and minilm-finetuned-head fine-tune on (default 4000).</summary>
    public static int? TrainDocuments { get; private set; }

    public static int Main(string[] args)
    {
        // Before any type of the library is touched: its module initializer reads these switches.
        int mallocAt = Array.IndexOf(args, "--malloc");
        MemoryScenario.ApplyMallocSetting(mallocAt >= 0 && mallocAt + 1 < args.Length ? args[mallocAt + 1] : "library");
        string? scenario = null;
        bool seedsGiven = false;
        int documents = 4000, passes = 40, trainCount = 1500, scoreCount = 1000, calls = 250, threads = 4;
        string corpusName = "debian";
        string? only = null;
        string? dataDirectory = null;
        string? appendPath = null;
        bool rebuild = false, corpusOnly = false;
        int? limit = null;
        int minimumBody = DebianCorpus.DefaultMinimumBodyLength;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--corpus": corpusName = Next(); break;
                case "--only": only = Next(); break;
                case "--data": dataDirectory = Next(); break;
                case "--rebuild-corpus": rebuild = true; break;
                case "--min-body": minimumBody = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); rebuild = true; break;
                case "--corpus-only": corpusOnly = true; break;
                case "--scenario": scenario = Next(); break;
                case "--documents": documents = Count(Next()); break;
                case "--passes": passes = Count(Next()); break;
                case "--train": trainCount = Count(Next()); TrainDocuments = trainCount; break;
                case "--score": scoreCount = Count(Next()); break;
                case "--calls": calls = Count(Next()); break;
                case "--threads": threads = Count(Next()); break;
                case "--limit": limit = Count(Next()); break;
                case "--malloc": Next(); break;
                case "--temperature": DistillationScenario.Temperature = float.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--weight": DistillationScenario.Weight = float.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--students": DistillationScenario.Students = Next().Split(','); break;
                case "--word-vectors": DistillationScenario.WordVectors = Next(); break;
                case "--teacher-cache": DistillationScenario.TeacherCache = true; break;
                case "--student-seed": DistillationScenario.StudentSeed = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--augment": DistillationScenario.AugmentCopies = Count(Next()); break;
                case "--no-unlabeled": DistillationScenario.Unlabeled = false; break;
                case "--seeds": FineTuningRecipeScenario.Seeds = Next().Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(); seedsGiven = true; break;
                case "--lr": FineTuningRecipeScenario.LearningRate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--epochs": FineTuningRecipeScenario.Epochs = Count(Next()); break;
                case "--finetune-train": CalibrationScenario.FineTuneDocuments = Count(Next()); break;
                case "--systems": CalibrationScenario.Systems = Next().Split(','); break;
                case "--validation": FineTuningRecipeScenario.Validation = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--batch": FineTuningRecipeScenario.BatchSize = Count(Next()); break;
                case "--cases": LoaderFuzzScenario.Cases = Count(Next()); break;
                case "--components": TrainingSpeedScenario.Components = Next().Split(','); break;
                case "--repeat": TrainingSpeedScenario.Repeat = Count(Next()); break;
                case "--mmap-threshold": AppContext.SetData("Microsoft.ML.Attention.TrainingMmapThreshold", Next()); break;
                case "--append-docs":
                    appendPath = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                    appendPath ??= Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
                    break;
                case "--list":
                    foreach (IBenchmarkSystem s in Systems)
                    {
                        Console.WriteLine(s.Name);
                    }
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}");
                    return 2;
            }
        }

        List<IBenchmarkSystem> selected = Systems.ToList();
        if (only != null)
        {
            string[] names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string[] unknown = names.Where(n => Systems.All(s => s.Name != n)).ToArray();
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"Unknown system(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", Systems.Select(s => s.Name))}");
                return 2;
            }
            selected = Systems.Where(s => names.Contains(s.Name)).ToList();
        }

        TextWriter log = Console.Out;
        dataDirectory ??= Path.Combine(RepositoryRoot(), "benchmarks", "data");
        DataDirectory = dataDirectory;
        if (scenario == "loader-fuzz")
        {
            return LoaderFuzzScenario.Run(RepositoryRoot(), dataDirectory, seedsGiven ? FineTuningRecipeScenario.Seeds : new[] { 33 }, log);
        }
        Corpus corpus = corpusName switch
        {
            "debian" => DebianCorpus.Load(dataDirectory, rebuild, log, minimumBody),
            "synthetic" => SyntheticCorpus.Generate(),
            "wordnet" => WordNetCorpus.Load(dataDirectory, rebuild, log),
            "wordnet-all" => WordNetCorpus.Load(dataDirectory, rebuild, log, all: true),
            "fortunes" => FortuneCorpus.Load(dataDirectory, rebuild, log),
            "bible" => BibleCorpus.Load(dataDirectory, rebuild, log),
            "manpages" => ManPageCorpus.Load(dataDirectory, rebuild, log),
            "imdb" => ImdbCorpus.Load(dataDirectory, rebuild, log),
            _ => throw new ArgumentException($"Unknown corpus {corpusName}"),
        };
        if (limit is int n)
        {
            corpus = new Corpus($"{corpus.Name} (first {n})", corpus.Train.Take(n).ToList(), corpus.Test.Take(n).ToList());
        }
        corpus.PrintCounts(log);
        if (corpusOnly)
        {
            return 0;
        }
        switch (scenario)
        {
            case null: break;
            case "sdca-checkpoint": return CheckpointScenario.Run(corpus, log, documents);
            case "memory-han" or "memory-featurizer": return MemoryScenario.Run(corpus, log, scenario, passes, trainCount, scoreCount, calls);
            case "minilm-ids": return MiniLmIdsScenario.Run(corpus, log);
            case "concurrency": return ConcurrencyScenario.Run(corpus, log, trainCount, scoreCount, calls, threads);
            case "finetuned-speed": return FineTunedSpeedScenario.Run(corpus, log, TrainDocuments ?? 1000, scoreCount);
            case "finetune-recipe": return FineTuningRecipeScenario.Run(corpus, log, TrainDocuments ?? 4000);
            case "load-time": return LoadTimeScenario.Run(corpus, log, TrainDocuments ?? 2000);
            case "calibration": return CalibrationScenario.Run(corpus, log, TrainDocuments ?? 4000, FineTuningRecipeScenario.Seeds, FineTuningRecipeScenario.Epochs);
            case "embedding-generator": return EmbeddingGeneratorScenario.Run(corpus, log, scoreCount == 1000 ? 2000 : scoreCount);
            case "han-scoring": return HanScoringScenario.Run(corpus, log, TrainDocuments ?? 4000);
            case "onnx-export": return OnnxExportScenario.Run(corpus, log, TrainDocuments ?? 4000, RepositoryRoot());
            case "training-speed": return TrainingSpeedScenario.Run(corpus, log, TrainDocuments ?? 4000);
            case "frozen-speed": return FrozenSpeedScenario.Run(corpus, log, scoreCount == 1000 ? 2000 : scoreCount);
            case "distillation": break;
            default:
                Console.Error.WriteLine($"Unknown scenario {scenario}: sdca-checkpoint, memory-han, memory-featurizer, concurrency, finetuned-speed, minilm-ids, distillation, finetune-recipe, frozen-speed, training-speed, han-scoring, embedding-generator, calibration, load-time, onnx-export");
                return 2;
        }

        var results = new List<BenchmarkResult>();
        if (scenario == "distillation")
        {
            results.AddRange(DistillationScenario.Run(corpus, log, TrainDocuments ?? 4000));
            selected.Clear();
        }
        foreach (IBenchmarkSystem system in selected)
        {
            log.WriteLine($"Running {system.Name} on {corpus.Name} ...");
            results.Add(system.Run(corpus, log));
        }

        log.WriteLine();
        log.WriteLine(BenchmarkResult.TableHeader);
        foreach (BenchmarkResult result in results)
        {
            log.WriteLine(result.ToTableRow());
        }
        if (appendPath != null)
        {
            string commandLine = "dotnet run -c Release --project benchmarks/AttentionBenchmarks -- " + string.Join(' ', args);
            ResultsWriter.Append(appendPath, commandLine, results);
            log.WriteLine($"Appended to {appendPath}");
        }
        return 0;
    }

    private static int Count(string value)
        => int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) is int n && n > 0 ? n : throw new ArgumentException($"{value} is not a positive count");

    /// <summary>The directory holding AttentionMLNet.sln, searched upwards from the working directory, then from the binary.</summary>
    public static string RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "AttentionMLNet.sln")))
                {
                    return d.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
