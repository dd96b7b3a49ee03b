using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention;

/// <summary>One point of the search: the options a trial changes; everything else keeps its default.</summary>
internal sealed record Candidate(int Epochs, int WordHiddenSize, int SentenceHiddenSize, double LearningRate, double Dropout, AttentionScoreFunction ScoreFunction)
{
    public HierarchicalAttentionTrainer.Options ToOptions() => new()
    {
        LabelColumnName = "Label",
        TextColumnName = "Text",
        NumberOfEpochs = Epochs,
        WordHiddenSize = WordHiddenSize,
        SentenceHiddenSize = SentenceHiddenSize,
        LearningRate = LearningRate,
        Dropout = Dropout,
        ScoreFunction = ScoreFunction,
        // Smaller than the paper's 200: the sweep trains folds x trials models, and the sizes under test are elsewhere.
        EmbeddingSize = 100,
        // Cross-validation already holds out a fold; a second hold-out inside each fold would only shrink training.
        ValidationFraction = 0,
    };

    public string AsCode() =>
        $"NumberOfEpochs = {Epochs}, WordHiddenSize = {WordHiddenSize}, SentenceHiddenSize = {SentenceHiddenSize}, " +
        $"LearningRate = {LearningRate:0.####}, Dropout = {Dropout}, ScoreFunction = AttentionScoreFunction.{ScoreFunction}, EmbeddingSize = 100";
}

/// <summary>The grid the sweep draws from, and the random draw.</summary>
internal static class SearchSpace
{
    private static readonly int[] Epochs = { 1, 2 };
    private static readonly int[] HiddenSizes = { 25, 50 };
    private static readonly double[] LearningRates = { 1e-3, 3e-3 };
    private static readonly double[] Dropouts = { 0.1, 0.3 };
    private static readonly AttentionScoreFunction[] ScoreFunctions = { AttentionScoreFunction.Location, AttentionScoreFunction.Mlp };

    public static IEnumerable<Candidate> Grid() =>
        from epochs in Epochs
        from word in HiddenSizes
        from sentence in HiddenSizes
        from rate in LearningRates
        from dropout in Dropouts
        from score in ScoreFunctions
        select new Candidate(epochs, word, sentence, rate, dropout, score);

    /// <summary>Distinct points drawn at random: with few trials a random search covers more values of each option than a grid.</summary>
    public static IReadOnlyList<Candidate> Draw(int trials, int seed)
    {
        var grid = Grid().ToList();
        var random = new Random(seed);
        return grid.OrderBy(_ => random.Next()).Take(Math.Min(trials, grid.Count)).ToList();
    }
}
