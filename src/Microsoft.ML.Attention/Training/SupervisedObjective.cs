using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Loss and accuracy of predictions against the label: cross-entropy over class logits for classification, squared
/// error of a single output for regression. <paramref name="predict"/> maps a list of row numbers to predictions.
/// </summary>
internal sealed class SupervisedObjective(System.Func<IReadOnlyList<int>, Tensor> predict, float[] targets, bool isRegression)
{
    /// <summary>Mean loss of the predictions for <paramref name="rows"/>.</summary>
    public Tensor Loss(Tensor prediction, IReadOnlyList<int> rows)
    {
        return isRegression
            ? nn.functional.mse_loss(prediction.squeeze(-1), torch.tensor(rows.Select(i => targets[i]).ToArray()))
            : nn.functional.cross_entropy(prediction, torch.tensor(rows.Select(i => (long)targets[i]).ToArray()));
    }

    /// <summary>The mean loss of a training batch.</summary>
    public Tensor BatchLoss(IReadOnlyList<int> rows) => Loss(predict(rows), rows);

    /// <summary>Loss and accuracy (NaN for regression) over all rows of <paramref name="chunks"/>, one forward pass per chunk.</summary>
    public Evaluation Evaluate(IEnumerable<int[]> chunks)
    {
        double lossSum = 0;
        long correct = 0;
        int count = 0;
        foreach (var chunk in chunks)
        {
            using var scope = torch.NewDisposeScope();
            var prediction = predict(chunk);
            lossSum += Loss(prediction, chunk).item<float>() * chunk.Length;
            count += chunk.Length;
            if (!isRegression)
                correct += prediction.argmax(-1).data<long>().ToArray().Where((p, k) => p == (long)targets[chunk[k]]).Count();
        }
        return new Evaluation(lossSum / count, isRegression ? double.NaN : (double)correct / count);
    }
}
