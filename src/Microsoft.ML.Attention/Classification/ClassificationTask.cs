namespace Microsoft.ML.Attention.Classification;

/// <summary>Which of ML.NET's standard output layouts a classifier produces.</summary>
internal enum ClassificationTask
{
    /// <summary>Score (a vector of per-class scores, softmax probabilities) and PredictedLabel (a key).</summary>
    Multiclass = 0,

    /// <summary>Score (a logit margin), Probability, and PredictedLabel (a Boolean).</summary>
    Binary = 1,
}
