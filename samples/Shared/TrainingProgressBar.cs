using System;
using Microsoft.ML.Attention;
using Spectre.Console;

/// <summary>A console progress bar fed by the library's training progress callback.</summary>
internal static class TrainingProgressBar
{
    /// <summary>Runs <paramref name="fit"/> while <paramref name="attach"/> routes the trainer's progress to the bar.</summary>
    /// <param name="attach">Sets the Progress callback of the trainer's or featurizer's Options.</param>
    /// <param name="fit">Fits the pipeline that holds that trainer.</param>
    public static T Run<T>(Action<Action<TrainingProgress>> attach, Func<T> fit)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("Training", maxValue: 1.0);
                attach(p =>
                {
                    task.Value = ((p.Epoch - 1) + (double)p.Batch / p.Batches) / p.Epochs;
                    var validation = p.ValidationAccuracy is double accuracy ? $", validation {accuracy:P1}" : "";
                    var left = p.TimeLeft.TotalMinutes >= 1 ? $"{p.TimeLeft.TotalMinutes:F0} min" : $"{p.TimeLeft.TotalSeconds:F0} s";
                    task.Description = $"Epoch {p.Epoch}/{p.Epochs}, loss {p.TrainingLoss:F3}, {p.RowsPerSecond:F0} docs/s, ~{left} left{validation}";
                });
                result = fit();
                task.Value = task.MaxValue;
            });
        return result;
    }
}
