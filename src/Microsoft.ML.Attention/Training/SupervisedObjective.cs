using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Loss and accuracy of predictions against the label: cross-entropy over class logits for classification, squared
/// error of a single output for regression. <paramref name="predict"/> maps a list of row numbers to predictions.
/// With <paramref name="distillation"/>, classification mixes in the teacher's soft loss (<see cref="DistilledLoss"/>)
/// and a NaN target marks a row without a label.
/// </summary>
internal sealed class SupervisedObjective(System.Func<IReadOnlyList<int>, Tensor> predict, float[] targets, bool isRegression,
    Distillation? distillation = null)
{
    /// <summary>Mean loss of the predictions for <paramref name="rows"/>.</summary>
    public Tensor Loss(Tensor prediction, IReadOnlyList<int> rows)
    {
        if (distillation != null)
            return DistilledLoss(prediction, rows, distillation);
        return isRegression
            ? nn.functional.mse_loss(prediction.squeeze(-1), torch.tensor(rows.Select(i => targets[i]).ToArray()))
            : nn.functional.cross_entropy(prediction, torch.tensor(rows.Select(i => (long)targets[i]).ToArray()));
    }

    /// <summary>
    /// Mean over <paramref name="rows"/> of w · T² · cross-entropy(softmax(teacher / T), softmax(student / T)) +
    /// (1 − w) · cross-entropy(student, label), the second term 0 for a row without a label.
    /// </summary>
    private Tensor DistilledLoss(Tensor prediction, IReadOnlyList<int> rows, Distillation d)
    {
        var classes = prediction.shape[1];
        // Every number handed to libtorch is a `using` Scalar (Core/Scalars explains why: a temporary one can be freed
        // by the garbage collector while libtorch reads it).
        using Scalar temperature = ((double)d.Temperature).ToScalar(), squaredTemperature = ((double)d.Temperature * d.Temperature).ToScalar(),
            softWeight = ((double)d.Weight).ToScalar(), hardWeight = (1.0 - d.Weight).ToScalar();
        var teacher = torch.tensor(rows.SelectMany(i => d.TeacherLogits[i]).ToArray(), new long[] { rows.Count, classes });
        var soft = nn.functional.softmax(teacher.div(temperature), -1).mul(nn.functional.log_softmax(prediction.div(temperature), -1))
            .sum(-1).neg().mul(squaredTemperature);
        var labeled = rows.Select(i => !float.IsNaN(targets[i])).ToArray();
        var labels = torch.tensor(rows.Select((i, k) => labeled[k] ? (long)targets[i] : 0L).ToArray());
        var hard = nn.functional.cross_entropy(prediction, labels, reduction: nn.Reduction.None)
            .mul(torch.tensor(labeled.Select(l => l ? 1f : 0f).ToArray()));
        return soft.mul(softWeight).add(hard.mul(hardWeight), Scalars.One).mean();
    }

    /// <summary>The mean loss of a training batch.</summary>
    public Tensor BatchLoss(IReadOnlyList<int> rows) => Loss(predict(rows), rows);

    /// <summary>Loss and accuracy (NaN for regression) over all rows of <paramref name="chunks"/>, one forward pass per chunk.</summary>
    public Evaluation Evaluate(IEnumerable<int[]> chunks)
    {
        double lossSum = 0;
        long correct = 0;
        int count = 0, labeled = 0;
        foreach (var chunk in chunks)
        {
            using var scope = torch.NewDisposeScope();
            var prediction = predict(chunk);
            lossSum += Loss(prediction, chunk).item<float>() * chunk.Length;
            count += chunk.Length;
            if (!isRegression)
            {
                // Rows without a label (only with a teacher) count in the loss, not in the accuracy.
                var predicted = prediction.argmax(-1).data<long>().ToArray();
                correct += predicted.Where((p, k) => !float.IsNaN(targets[chunk[k]]) && p == (long)targets[chunk[k]]).Count();
                labeled += chunk.Count(i => !float.IsNaN(targets[i]));
            }
        }
        return new Evaluation(lossSum / count, isRegression || labeled == 0 ? double.NaN : (double)correct / labeled);
    }
}
