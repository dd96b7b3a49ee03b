using System;
using System.Collections.Generic;
using Microsoft.ML.Attention.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Text;

/// <summary>Compares the embedding rows of words from a vectors file with the file, after training.</summary>
internal static class PretrainedRowsAssert
{
    /// <param name="weight">The embedding matrix [vocabulary, dimension], flattened.</param>
    public static void Check(double[] weight, Vocabulary vocabulary, IReadOnlyDictionary<string, double[]> file, IEnumerable<string> words, bool frozen)
    {
        double largestChange = 0;
        foreach (var word in words)
        {
            int id = vocabulary.GetId(word);
            Assert.AreNotEqual(Vocabulary.UnknownId, id, word);
            var row = file[word];
            for (int d = 0; d < row.Length; d++)
                largestChange = Math.Max(largestChange, Math.Abs(weight[id * row.Length + d] - row[d]));
        }
        if (frozen)
            Assert.AreEqual(0.0, largestChange, 1e-6, "frozen rows equal the file after training");
        else
            Assert.IsGreaterThan(1e-3, largestChange, "unfrozen rows are trained away from the file");
    }
}
