// The runtime honours this attribute (it is not in the base class library's public surface, so the library
// defines it): it lets this assembly override ML.NET's private protected members and implement its internal
// interfaces, which the build makes visible to the compiler through publicized reference assemblies.
namespace System.Runtime.CompilerServices;

/// <summary>Lets this assembly access the non-public members of the named assembly at run time.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Creates the attribute for the assembly named <paramref name="assemblyName"/>.</summary>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose access checks are ignored.</summary>
    public string AssemblyName { get; }
}
