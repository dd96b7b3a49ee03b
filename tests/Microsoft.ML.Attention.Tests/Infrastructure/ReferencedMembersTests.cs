using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using Mono.Cecil;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

/// <summary>
/// The library is built against the lowest ML.NET and Tokenizers versions of its ranges and runs on whichever version
/// the application resolves. It uses ML.NET internals, which may change between versions without notice, so every
/// type and member it (and its tokenizer assembly) references must exist in the assemblies this process really loads: CI runs this on ML.NET 5
/// and again on ML.NET 6 (the version matrix in .ci/run), with the same library binary.
/// </summary>
[TestClass]
public sealed class ReferencedMembersTests
{
    private static readonly string[] CheckedAssemblyPrefixes = { "Microsoft.ML", "TorchSharp", "Microsoft.Extensions.AI" };

    [TestMethod]
    public void EveryMlNetTypeAndMemberTheLibraryReferencesResolvesInTheVersionsLoaded()
    {
        var (members, scopes) = Check(typeof(AttentionPoolingEstimator).Assembly.Location);
        Assert.IsTrue(scopes.Contains("Microsoft.ML.Data"), "the library should reference Microsoft.ML.Data");
        Assert.IsGreaterThan(100, members, "the library references ML.NET members; the scan found too few to be real");
    }

    /// <summary>The tokenizer assembly computes WordPiece and SentencePiece with Microsoft.ML.Tokenizers, whose version the application resolves too.</summary>
    [TestMethod]
    public void EveryTokenizersTypeAndMemberTheTokenizerAssemblyReferencesResolvesInTheVersionLoaded()
    {
        var (members, scopes) = Check(typeof(TextTokenizer).Assembly.Location);
        Assert.IsTrue(scopes.Contains("Microsoft.ML.Tokenizers"), "the tokenizer assembly should reference Microsoft.ML.Tokenizers");
        Assert.IsFalse(scopes.Any(s => s is "Microsoft.ML.Core" or "Microsoft.ML.Data" || s.StartsWith("TorchSharp", StringComparison.Ordinal)),
            $"the tokenizer assembly references neither ML.NET nor TorchSharp: {string.Join(", ", scopes)}");
        Assert.IsGreaterThan(5, members, "the tokenizer assembly references Microsoft.ML.Tokenizers members; the scan found too few to be real");
    }

    // Every checked type and member <paramref name="library"/> references must resolve in the assemblies beside the
    // tests; returns how many members were checked and the names of the checked assemblies it references.
    private static (int Members, List<string> Scopes) Check(string library)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        using var assembly = AssemblyDefinition.ReadAssembly(library, new ReaderParameters { AssemblyResolver = resolver });
        var module = assembly.MainModule;

        var checkedScopes = module.AssemblyReferences.Where(r => CheckedAssemblyPrefixes.Any(p => r.Name.StartsWith(p, StringComparison.Ordinal))).ToList();
        var unresolved = new List<string>();
        int types = 0, members = 0;
        foreach (var type in module.GetTypeReferences().Where(t => IsChecked(t.Scope)))
        {
            types++;
            if (type.Resolve() is null)
                unresolved.Add($"type {type.FullName} ({type.Scope.Name})");
        }
        foreach (var member in module.GetMemberReferences().Where(m => IsChecked(m.DeclaringType.Scope)))
        {
            members++;
            var resolved = member switch
            {
                MethodReference method => (object?)method.Resolve(),
                FieldReference field => field.Resolve(),
                _ => member.Resolve(),
            };
            if (resolved is null)
                unresolved.Add($"member {member.FullName} ({member.DeclaringType.Scope.Name})");
        }

        var versions = string.Join(", ", checkedScopes.Select(r => $"{r.Name} {LoadedVersion(r.Name)}"));
        Assert.IsEmpty(unresolved, $"{Path.GetFileName(library)}: {unresolved.Count} of {types} types and {members} members do not resolve against {versions}:\n" + string.Join("\n", unresolved.Take(40)));
        return (members, checkedScopes.Select(r => r.Name).ToList());
    }

    /// <summary>
    /// CI names the versions each leg of its matrix must run on (ML_ATTENTION_EXPECT_MLNET, ML_ATTENTION_EXPECT_TOKENIZERS,
    /// ML_ATTENTION_EXPECT_MEAI for Microsoft.Extensions.AI.Abstractions),
    /// so a restore that quietly fell back to another version fails here instead of testing the wrong thing.
    /// </summary>
    [TestMethod]
    public void TheTestsRunOnTheMlNetVersionsCiAskedFor()
    {
        foreach (var (variable, assemblyName) in new[] { ("ML_ATTENTION_EXPECT_MLNET", "Microsoft.ML.Data"), ("ML_ATTENTION_EXPECT_TOKENIZERS", "Microsoft.ML.Tokenizers"),
            ("ML_ATTENTION_EXPECT_MEAI", "Microsoft.Extensions.AI.Abstractions") })
        {
            var expected = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(expected))
                continue;
            var loaded = LoadedVersion(assemblyName);
            Assert.IsTrue(loaded.StartsWith(expected + "+", StringComparison.Ordinal) || loaded == expected,
                $"{assemblyName} beside the tests is {loaded}; {variable} asks for {expected}");
        }
    }

    private static bool IsChecked(IMetadataScope scope)
        => scope is AssemblyNameReference name && CheckedAssemblyPrefixes.Any(p => name.Name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The informational (package) version of the assembly file beside the tests, for the failure message.</summary>
    private static string LoadedVersion(string assemblyName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(path))
            return "(not found)";
        var info = System.Diagnostics.FileVersionInfo.GetVersionInfo(path);
        return info.ProductVersion ?? info.FileVersion ?? "?";
    }
}
