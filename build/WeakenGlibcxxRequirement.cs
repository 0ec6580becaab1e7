using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks libLibTorchSharp.so's requirement on GLIBCXX_3.4.32 weak when the system libstdc++ lacks it,
/// so glibc's loader warns instead of refusing the library. Only the flags of that one ELF version
/// entry change; every other byte of the file stays as NuGet delivered it.
/// </summary>
public class WeakenGlibcxxRequirement : Task
{
    private const string Version = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public string Directory { get; set; } = "";

    /// <summary>Patch even where this machine's libstdc++ has the version: for packages that run on other machines.</summary>
    public bool Always { get; set; }

    public override bool Execute()
    {
        if (!Always && SystemHasVersion())
        {
            return true;
        }
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            if (Patch(path))
            {
                Log.LogMessage(MessageImportance.High, $"CnnLab: marked {Version} weak in {path} (system libstdc++ lacks it)");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool SystemHasVersion()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };
        var library = candidates.FirstOrDefault(File.Exists);
        if (library == null)
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(File.ReadAllBytes(library));
        return text.Contains(Version + "\0");
    }

    private bool Patch(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[4] != 2 || bytes[5] != 1)
        {
            Log.LogWarning($"CnnLab: {path} is not a little-endian 64-bit ELF file; left unchanged.");
            return false;
        }
        var sectionTable = (long)BitConverter.ToUInt64(bytes, 0x28);
        int entrySize = BitConverter.ToUInt16(bytes, 0x3A);
        int sectionCount = BitConverter.ToUInt16(bytes, 0x3C);
        var changed = false;
        for (var i = 0; i < sectionCount; i++)
        {
            var header = sectionTable + (long)i * entrySize;
            if (BitConverter.ToUInt32(bytes, (int)header + 4) != ShtGnuVerneed)
            {
                continue;
            }
            var offset = (long)BitConverter.ToUInt64(bytes, (int)header + 24);
            var link = BitConverter.ToUInt32(bytes, (int)header + 40);
            var needCount = BitConverter.ToUInt32(bytes, (int)header + 44);
            var strings = (long)BitConverter.ToUInt64(bytes, (int)(sectionTable + link * entrySize) + 24);
            for (var n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(bytes, (int)offset + 2);
                var aux = offset + BitConverter.ToUInt32(bytes, (int)offset + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var nameOffset = strings + BitConverter.ToUInt32(bytes, (int)aux + 8);
                    var end = Array.IndexOf(bytes, (byte)0, (int)nameOffset);
                    var name = Encoding.ASCII.GetString(bytes, (int)nameOffset, end - (int)nameOffset);
                    var flags = BitConverter.ToUInt16(bytes, (int)aux + 4);
                    if (name == Version && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(bytes, (int)aux + 4);
                        changed = true;
                    }
                    aux += BitConverter.ToUInt32(bytes, (int)aux + 12);
                }
                offset += BitConverter.ToUInt32(bytes, (int)offset + 12);
            }
        }
        if (changed)
        {
            // Write beside, then rename: a build killed midway must not leave a half-written library.
            var temporary = path + ".cnnlab-tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Replace(temporary, path, null);
        }
        return changed;
    }
}
