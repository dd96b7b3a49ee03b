namespace Microsoft.ML.Attention;

/// <summary>
/// Progress of a training run, reported to the optional callback of an Options class after every batch
/// (<see cref="ValidationAccuracy"/> and <see cref="ValidationLoss"/> are set on the last batch of an epoch).
/// </summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">The maximum number of epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in an epoch.</param>
/// <param name="TrainingLoss">Mean training loss of the epoch so far.</param>
/// <param name="RowsPerSecond">Training speed of the epoch so far.</param>
/// <param name="ValidationLoss">Validation loss at the end of the epoch, when there is a validation set.</param>
/// <param name="ValidationAccuracy">Validation accuracy at the end of the epoch, for classification with a validation set.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double TrainingLoss, double RowsPerSecond,
    double? ValidationLoss = null, double? ValidationAccuracy = null)
{
    /// <summary>
    /// Estimated time until the last planned epoch ends, at the mean time per batch so far (validation passes not
    /// counted); early stopping may end training sooner.
    /// </summary>
    public System.TimeSpan TimeLeft { get; init; }
}
