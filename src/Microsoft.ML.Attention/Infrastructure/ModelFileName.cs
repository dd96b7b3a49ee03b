using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>Names the model file a <see cref="ModelLoadContext"/> reads, for error messages.</summary>
/// <remarks>
/// ML.NET does not keep the path: <c>Model.Load(path)</c> opens a <see cref="FileStream"/> and hands its zip to the
/// repository. Both fields that lead there are private, so they are found by type through reflection; when that
/// fails (another ML.NET or .NET version) the message says "the model" instead, and loading itself is unaffected.
/// </remarks>
internal static class ModelFileName
{
    public static string Describe(ModelLoadContext ctx) => PathOf(ctx) is { } path ? $"model file '{path}'" : "model";

    /// <summary>The path of the model file, or null when it was loaded from another stream or cannot be found.</summary>
    public static string? PathOf(ModelLoadContext ctx)
    {
        try
        {
            var archive = FieldOfType<ZipArchive>(ctx.Repository);
            return (archive == null ? null : FieldOfType<Stream>(archive)) is FileStream file ? file.Name : null;
        }
        catch (Exception e) when (e is FieldAccessException or TargetException or MemberAccessException)
        {
            return null;
        }
    }

    private static T? FieldOfType<T>(object? owner) where T : class
    {
        for (var type = owner?.GetType(); type != null; type = type.BaseType)
        {
            var field = type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .FirstOrDefault(f => typeof(T).IsAssignableFrom(f.FieldType) && f.GetValue(owner) is T);
            if (field != null)
                return (T)field.GetValue(owner)!;
        }
        return null;
    }
}
