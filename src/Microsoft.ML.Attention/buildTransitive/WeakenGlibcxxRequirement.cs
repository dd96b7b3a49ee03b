// Inline MSBuild task (RoslynCodeTaskFactory) shipped in the package's buildTransitive folder.
// Marks the GLIBCXX_3.4.32 entry of an ELF file's version-needs table (.gnu.version_r) weak, so the
// dynamic loader accepts the library on systems whose libstdc++ stops at an older version.
// ElfVersionNeeds holds the ELF logic without MSBuild types so the tests can compile and test it.
using System;
using System.IO;
using System.Text;

#if !ML_ATTENTION_NO_MSBUILD
public sealed class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    /// <summary>auto: only when this machine's libstdc++ lacks the version; always: regardless.</summary>
    [Microsoft.Build.Framework.Required]
    public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (Mode == "auto" && ElfVersionNeeds.SystemLibStdCxxHas(ElfVersionNeeds.GlibcxxVersion))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "libstdc++ provides " + ElfVersionNeeds.GlibcxxVersion + "; libLibTorchSharp.so left as is.");
            return true;
        }
        foreach (var item in Files)
        {
            try
            {
                if (ElfVersionNeeds.MakeWeak(item.ItemSpec, ElfVersionNeeds.GlibcxxVersion))
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        "Marked " + ElfVersionNeeds.GlibcxxVersion + " weak in " + item.ItemSpec);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogWarning("Could not adjust " + item.ItemSpec + ": " + e.Message + " TorchSharp may fail to load on this system.");
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

public static class ElfVersionNeeds
{
    public const string GlibcxxVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>
    /// Sets the weak flag on the version-needs entry named <paramref name="version"/>. Returns true when
    /// the file was changed; false when it has no such strict requirement (already weak, or absent).
    /// The file is replaced, never written in place, so a hard link into the NuGet cache stays untouched.
    /// </summary>
    public static bool MakeWeak(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var flagsOffset = FindStrictRequirement(bytes, version);
        if (flagsOffset < 0)
            return false;
        var flags = BitConverter.ToUInt16(bytes, flagsOffset);
        WriteUInt16(bytes, flagsOffset, (ushort)(flags | VerFlagWeak));

        var lastWrite = File.GetLastWriteTimeUtc(path);
        var temp = path + ".weakening";
        File.WriteAllBytes(temp, bytes);
        // Keep the timestamp so incremental copies see the file as up to date and do not undo the edit.
        File.SetLastWriteTimeUtc(temp, lastWrite);
        // Delete then move: replaces the directory entry instead of writing through a possible hard link.
        File.Delete(path);
        File.Move(temp, path);
        return true;
    }

    /// <summary>File offset of vna_flags of the strict (non-weak) requirement of <paramref name="version"/>, or -1.</summary>
    public static int FindStrictRequirement(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        var sectionTable = checked((int)BitConverter.ToUInt64(elf, 0x28));
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            var header = sectionTable + i * entrySize;
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed)
                continue;
            var needs = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            var stringSection = (int)BitConverter.ToUInt32(elf, header + 0x28);
            var entries = (int)BitConverter.ToUInt32(elf, header + 0x2C);
            var strings = checked((int)BitConverter.ToUInt64(elf, sectionTable + stringSection * entrySize + 0x18));

            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
            var need = needs;
            for (int n = 0; n < entries; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strings + (int)BitConverter.ToUInt32(elf, aux + 8));
                    var flags = BitConverter.ToUInt16(elf, aux + 4);
                    if (name == version && (flags & VerFlagWeak) == 0)
                        return aux + 4;
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return -1;
    }

    /// <summary>True when a libstdc++.so.6 in the usual system folders defines <paramref name="version"/>.</summary>
    public static bool SystemLibStdCxxHas(string version)
    {
        string[] folders = { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu",
                             "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, "libstdc++.so.6");
            if (File.Exists(path))
                return IndexOf(File.ReadAllBytes(path), needle) >= 0;
        }
        return false;
    }

    private static string ReadCString(byte[] bytes, int offset)
    {
        var end = offset;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }

    private static void WriteUInt16(byte[] bytes, int offset, ushort value)
    {
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >> 8);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
