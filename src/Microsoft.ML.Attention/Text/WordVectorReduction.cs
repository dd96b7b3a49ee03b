using System;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Attention.Text;

/// <summary>
/// A teacher's unit word vectors made a student's starting embeddings: reduced to the student's dimension by their
/// principal components when it is smaller, then each L2-normalized and scaled by √dimension, so its entries have about
/// the spread of a freshly initialized embedding whatever the teacher's norms. <see cref="WordVectorFile"/> writes these
/// values and the students compute them from the vectors <c>AugmentForDistillation</c> attaches, so both give the same start.
/// </summary>
internal static class WordVectorReduction
{
    /// <summary>A vector divided by its L2 norm, in double precision; a zero vector stays zero.</summary>
    public static double[] Unit(float[] vector)
    {
        double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return vector.Select(v => norm > 0 ? v / norm : 0).ToArray();
    }

    /// <summary>The vectors at <paramref name="dimension"/> (at most their own), normalized and scaled; a zero vector stays zero.</summary>
    public static float[][] Reduce(double[][] unit, int dimension)
    {
        var reduced = unit.Length == 0 || dimension == unit[0].Length ? unit : PrincipalComponents(unit, dimension);
        double scale = Math.Sqrt(dimension);
        return reduced.Select(v =>
        {
            double norm = Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => norm > 0 ? (float)(x / norm * scale) : 0f).ToArray();
        }).ToArray();
    }

    /// <summary>
    /// The centered vectors projected on the <paramref name="dimension"/> eigenvectors of their covariance with the
    /// largest eigenvalues, in double precision. Each eigenvector's sign is fixed (its largest entry positive), so the
    /// same vectors give the same result wherever the eigensolver's signs fall.
    /// </summary>
    private static double[][] PrincipalComponents(double[][] vectors, int dimension)
    {
        using var scope = torch.NewDisposeScope();
        int n = vectors.Length, d = vectors[0].Length;
        var x = torch.tensor(vectors.SelectMany(v => v).ToArray(), new long[] { n, d }, torch.float64);
        var centered = x - x.mean(new long[] { 0 }, keepdim: true);
        // An explicit Scalar, disposed here: a temporary one can be finalized while libtorch reads it (ScalarLifetimeTests).
        using var rows = ((double)n).ToScalar();
        var covariance = centered.t().matmul(centered).div(rows);
        var (_, eigenvectors) = torch.linalg.eigh(covariance);
        var top = eigenvectors.narrow(1, d - dimension, dimension).flip(1);
        // The largest entry of a unit eigenvector is never 0, so its sign is ±1.
        var signs = top.gather(0, top.abs().argmax(0, keepdim: true)).sign();
        var projected = centered.matmul(top * signs).contiguous().data<double>().ToArray();
        return Enumerable.Range(0, n).Select(i => projected.AsSpan(i * dimension, dimension).ToArray()).ToArray();
    }
}
