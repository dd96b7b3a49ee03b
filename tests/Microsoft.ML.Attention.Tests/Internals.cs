using System.Reflection;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Reads a private field of a fitted model, to compare its weights with a reference computed in the test.</summary>
internal static class Internals
{
    public static T Field<T>(object owner, string name)
        => (T)(owner.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new System.MissingFieldException(owner.GetType().Name, name)).GetValue(owner)!;
}
