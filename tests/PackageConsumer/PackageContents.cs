using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace PackageConsumer;

/// <summary>What the .nupkg must hold, checked against the repository it was packed from.</summary>
internal static class PackageContents
{
    private const string PackageId = "Microsoft.ML.Attention";
    private const string TokenizerPackageId = "Microsoft.ML.Attention.Tokenizers";
    private const string TargetFramework = "net10.0";
    private const string Library = "lib/" + TargetFramework + "/" + PackageId + ".dll";
    private const string Documentation = "lib/" + TargetFramework + "/" + PackageId + ".xml";
    private const string Targets = "buildTransitive/" + PackageId + ".targets";

    /// <summary>Packages the library references to build but must not pass on to applications.</summary>
    private static readonly string[] BuildOnlyPackages = { "Mono.Cecil" };

    public static void Verify(string nupkg, string repository)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var required in new[] { Library, Documentation, "README.md", Targets })
            Require(entries.Contains(required), $"{required} is missing from the package");

        // Only the library itself: the publicized ML.NET copies it compiles against must never ship.
        var libFiles = entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).OrderBy(e => e).ToList();
        Require(libFiles.SequenceEqual(new[] { Library, Documentation }), $"lib/ should hold only the library and its XML docs, holds: {string.Join(", ", libFiles)}");

        var docs = XDocument.Load(zip.GetEntry(Documentation)!.Open());
        var documented = docs.Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet();
        foreach (var member in new[] { "T:Microsoft.ML.Attention.AttentionPoolingEstimator", "T:Microsoft.ML.Attention.HierarchicalAttentionTrainer",
                                       "T:Microsoft.ML.Attention.SelfAttentionFeaturizingEstimator" })
            Require(documented.Contains(member), $"the XML docs do not document {member}");

        Require(ReadAll(zip, "README.md").SequenceEqual(File.ReadAllBytes(Path.Combine(repository, "README.md"))),
            "the package's README.md differs from the repository's");

        // Every source file an inline task of the targets compiles must travel with them.
        var targets = XDocument.Load(zip.GetEntry(Targets)!.Open());
        var sources = targets.Descendants().Where(e => e.Name.LocalName == "Code").Select(e => (string?)e.Attribute("Source")).OfType<string>().ToList();
        Require(sources.Count > 0, $"{Targets} compiles no task source; the libstdc++ fix needs one");
        foreach (var source in sources)
        {
            var inPackage = "buildTransitive/" + source.Replace("$(MSBuildThisFileDirectory)", "", StringComparison.Ordinal);
            Require(entries.Contains(inPackage), $"{Targets} compiles {source}, but the package has no {inPackage}");
        }

        VerifyNuspec(zip, repository);
    }

    private static void VerifyNuspec(ZipArchive zip, string repository)
    {
        var nuspecEntry = zip.Entries.SingleOrDefault(e => e.FullName == PackageId + ".nuspec");
        Require(nuspecEntry is not null, $"{PackageId}.nuspec is missing");
        var metadata = XDocument.Load(nuspecEntry!.Open()).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Require(Field("id") == PackageId, $"the package id is {Field("id")}");
        var expectedVersion = Metadata("MLAttentionPackageVersion");
        Require(Field("version") == expectedVersion, $"the package version is {Field("version")}, the application referenced {expectedVersion}");
        Require(Field("readme") == "README.md", "the nuspec does not name README.md as the package's readme");

        var groups = metadata.Descendants().Where(e => e.Name.LocalName == "group").ToList();
        Require(groups.Count == 1 && (string?)groups[0].Attribute("targetFramework") == TargetFramework,
            $"expected one dependency group for {TargetFramework}, found: {string.Join(", ", groups.Select(g => (string?)g.Attribute("targetFramework")))}");
        var dependencies = groups[0].Elements().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string?)e.Attribute("version"), StringComparer.OrdinalIgnoreCase);

        foreach (var buildOnly in BuildOnlyPackages)
            Require(!dependencies.ContainsKey(buildOnly), $"the package depends on {buildOnly}, which the library only needs to build");
        var centralVersions = CentralVersions(Path.Combine(repository, "Directory.Packages.props"));
        // Microsoft.ML.Tokenizers (WordPiece, SentencePiece) comes through the tokenizer package, which computes them.
        var expected = new[] { "Microsoft.ML", "TorchSharp-cpu", "Microsoft.Extensions.AI.Abstractions" };
        var unexpected = dependencies.Keys.Except(expected.Append(TokenizerPackageId), StringComparer.OrdinalIgnoreCase).ToList();
        Require(unexpected.Count == 0, $"the package has dependencies an application does not need: {string.Join(", ", unexpected)}");
        // The tokenizers (no TorchSharp), packed from the same commit: exactly this version.
        Require(dependencies.TryGetValue(TokenizerPackageId, out var tokenizerVersion) && tokenizerVersion is not null && SameRange(tokenizerVersion, expectedVersion!),
            $"the package depends on {TokenizerPackageId} {tokenizerVersion}, expected {expectedVersion}");
        foreach (var id in expected)
        {
            Require(dependencies.TryGetValue(id, out var version), $"the package does not depend on {id}");
            Require(version is not null && SameRange(version, centralVersions[id]),
                $"the package depends on {id} {version}, Directory.Packages.props says {centralVersions[id]}");
        }
    }

    /// <summary>
    /// Whether two NuGet version ranges are the same range: "[5.0.1, 7.0.0)" equals "[5.0.1,7.0.0)", and a bare
    /// version "0.107.0" means "at least 0.107.0", as NuGet reads it.
    /// </summary>
    public static bool SameRange(string a, string b)
    {
        static string Normal(string range)
        {
            var compact = range.Replace(" ", "", StringComparison.Ordinal);
            return compact.StartsWith('[') || compact.StartsWith('(') ? compact : "[" + compact + ",)";
        }
        return string.Equals(Normal(a), Normal(b), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The application must run the assembly from the package, byte for byte, and not a build of the repository.</summary>
    public static void VerifyConsumedAssembly(string nupkg)
    {
        var loaded = typeof(Microsoft.ML.Attention.AttentionPoolingEstimator).Assembly;
        Require(Path.GetDirectoryName(loaded.Location) == Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
            $"{PackageId}.dll was loaded from {loaded.Location}, not from the application's folder");
        using var zip = ZipFile.OpenRead(nupkg);
        Require(SHA256.HashData(ReadAll(zip, Library)).SequenceEqual(SHA256.HashData(File.ReadAllBytes(loaded.Location))),
            $"{loaded.Location} is not the {Library} of {Path.GetFileName(nupkg)}");
    }

    /// <summary>
    /// The application resolved the Microsoft.ML its build asked for (ExpectedMLNetVersion, set by .ci/package-check),
    /// so the library built against ML.NET 5 is really exercised on each supported major.
    /// </summary>
    public static void VerifyMlNetVersion()
    {
        var loaded = typeof(Microsoft.ML.MLContext).Assembly;
        var version = loaded.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        Console.WriteLine($"        Microsoft.ML {version}");
        var expected = Metadata("ExpectedMLNetVersion");
        if (expected.Length > 0)
            Require(version == expected || version.StartsWith(expected + "+", StringComparison.Ordinal), $"Microsoft.ML {version} was loaded, the build asked for {expected}");
    }

    public static string Metadata(string key)
        => typeof(PackageContents).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
           ?? throw new InvalidOperationException($"the build did not record {key}");

    private static Dictionary<string, string> CentralVersions(string path)
        => XDocument.Load(path).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    private static byte[] ReadAll(ZipArchive zip, string entry)
    {
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static void Require(bool condition, string message)
    {
        if (!condition)
            throw new InvalidOperationException(message);
    }
}
