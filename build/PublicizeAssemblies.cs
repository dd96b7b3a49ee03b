// Inline MSBuild task (RoslynCodeTaskFactory): writes copies of assemblies whose internal types and
// members are public, so the library can compile against ML.NET's internal extension points.
// Private members stay private: publicizing them causes name-hiding errors in derived classes.
using System;
using System.IO;
using System.Reflection;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Mono.Cecil;

public sealed class PublicizeAssemblies : Task
{
    [Required] public ITaskItem[] Assemblies { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>Each item's Destination metadata names its publicized copy.</summary>
    [Required] public string CecilPath { get; set; } = "";

    public override bool Execute()
    {
        // The compiled task may not find Mono.Cecil next to itself; point the loader at the package.
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
            new AssemblyName(args.Name).Name == "Mono.Cecil" ? Assembly.LoadFrom(CecilPath) : null;
        foreach (var item in Assemblies)
        {
            var destination = item.GetMetadata("Destination");
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            Publicize(item.ItemSpec, destination);
        }
        return !Log.HasLoggedErrors;
    }

    private void Publicize(string source, string destination)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(source));
        using (var assembly = AssemblyDefinition.ReadAssembly(source, new ReaderParameters { AssemblyResolver = resolver }))
        {
            foreach (var type in assembly.MainModule.GetTypes())
                PublicizeType(type);
            var temp = destination + ".tmp";
            assembly.Write(temp);
            File.Copy(temp, destination, overwrite: true);
            File.Delete(temp);
        }
        Log.LogMessage(MessageImportance.Low, "Publicized " + source + " -> " + destination);
    }

    private static void PublicizeType(TypeDefinition type)
    {
        if (type.IsNested)
        {
            if (type.IsNestedAssembly || type.IsNestedFamilyOrAssembly || type.IsNestedFamilyAndAssembly)
                type.IsNestedPublic = true;
        }
        else if (type.IsNotPublic)
        {
            type.IsPublic = true;
        }

        foreach (var method in type.Methods)
        {
            if (method.IsAssembly) method.IsPublic = true;
            else if (method.IsFamilyAndAssembly || method.IsFamilyOrAssembly) method.IsFamily = true;
        }
        foreach (var field in type.Fields)
        {
            if (field.IsAssembly) field.IsPublic = true;
            else if (field.IsFamilyAndAssembly || field.IsFamilyOrAssembly) field.IsFamily = true;
        }
    }
}
