using System.IO;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>Builds the errors of pretrained-model reading: each names the file and what was expected there.</summary>
internal static class CheckpointErrors
{
    public static InvalidDataException Invalid(string file, string problem) => new InvalidDataException($"{file}: {problem}");

    /// <summary>Throws <see cref="Invalid"/> unless <paramref name="condition"/> holds.</summary>
    public static void Require(string file, bool condition, string problem)
    {
        if (!condition)
            throw Invalid(file, problem);
    }

    public static FileNotFoundException Missing(string file, string expected) => new FileNotFoundException($"{file} was not found: {expected}", file);
}
