using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace PackageConsumer;

/// <summary>
/// The package's buildTransitive targets must have marked GLIBCXX_3.4.32 weak in the application's copy of
/// libLibTorchSharp.so when this system's libstdc++ lacks that version, and left the NuGet cache's copy alone.
/// </summary>
internal static class NativeFix
{
    private const string NativeName = "libLibTorchSharp.so";

    public static void Verify()
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.WriteLine("        not Linux: the fix does not apply");
            return;
        }
        // Only runtimes/: where the package layout puts the file and the application loads it from. When that load
        // fails, TorchSharp copies the cache's files into a cpu/ folder of its own, which is no build output.
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var outputCopies = Directory.Exists(runtimes) ? Directory.GetFiles(runtimes, NativeName, SearchOption.AllDirectories) : Array.Empty<string>();
        PackageContents.Require(outputCopies.Length > 0, $"the build output has no runtimes/**/{NativeName}; TorchSharp's native assets did not flow to the application");

        var systemHasIt = ElfVersionNeeds.SystemLibStdCxxHas(ElfVersionNeeds.GlibcxxVersion);
        var torchSharpFolder = TorchSharpPackageFolder();
        foreach (var output in outputCopies)
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, output);
            var cached = Path.Combine(torchSharpFolder, relative);
            PackageContents.Require(File.Exists(cached), $"no NuGet cache copy of {relative} at {cached}");
            var cacheStrict = ElfVersionNeeds.FindStrictRequirement(File.ReadAllBytes(cached), ElfVersionNeeds.GlibcxxVersion) >= 0;
            var outputStrict = ElfVersionNeeds.FindStrictRequirement(File.ReadAllBytes(output), ElfVersionNeeds.GlibcxxVersion) >= 0;
            // TorchSharp 0.107 asks for the version strictly; if a later one stops asking, this check has nothing left to prove.
            PackageContents.Require(cacheStrict, $"the NuGet cache copy {cached} does not require {ElfVersionNeeds.GlibcxxVersion} strictly: either the build edited the cache or TorchSharp no longer needs the fix");
            if (systemHasIt)
            {
                PackageContents.Require(File.ReadAllBytes(output).SequenceEqual(File.ReadAllBytes(cached)),
                    $"this libstdc++ provides {ElfVersionNeeds.GlibcxxVersion}, yet {relative} differs from the package's copy");
                Console.WriteLine($"        this libstdc++ provides {ElfVersionNeeds.GlibcxxVersion}: {relative} rightly left as shipped");
            }
            else
            {
                PackageContents.Require(!outputStrict,
                    $"{output} still requires {ElfVersionNeeds.GlibcxxVersion} strictly, which this libstdc++ lacks: the package's buildTransitive targets did not run");
                Console.WriteLine($"        this libstdc++ lacks {ElfVersionNeeds.GlibcxxVersion}: {relative} has it weak, the NuGet cache copy strict");
            }
        }
    }

    /// <summary>The NuGet cache folder of the TorchSharp package this application resolved, read from its deps.json.</summary>
    private static string TorchSharpPackageFolder()
    {
        var depsFile = Path.Combine(AppContext.BaseDirectory, typeof(NativeFix).Assembly.GetName().Name + ".deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var library = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .SingleOrDefault(l => l.Name.StartsWith("TorchSharp/", StringComparison.OrdinalIgnoreCase));
        PackageContents.Require(library.Value.ValueKind == JsonValueKind.Object, $"{depsFile} names no TorchSharp package");
        return Path.Combine(PackageContents.Metadata("NuGetPackageRoot"), library.Value.GetProperty("path").GetString()!);
    }
}
