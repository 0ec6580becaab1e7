using System.Buffers.Binary;
using System.Text;

namespace CnnLab.Engine;

/// <summary>
/// Reads the symbol-version tables of a little-endian 64-bit ELF library: the versions it needs from other
/// libraries (.gnu.version_r) and the versions it defines (.gnu.version_d). That is what glibc's loader compares
/// when it refuses a library with "version `GLIBCXX_3.4.32' not found", so it lets CnnLab tell the cause, and fix
/// it, before TorchSharp's loader hides it behind "doesn't contain a reference to libtorch-cpu-linux-x64".
/// </summary>
internal static class ElfVersions
{
    /// <summary>Marks a version need weak: the loader then warns instead of refusing the library.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint VersionNeedsSection = 0x6ffffffe;
    private const uint VersionDefinitionsSection = 0x6ffffffd;

    /// <summary>Every version the library needs, in file order.</summary>
    public static IReadOnlyList<ElfVersionNeed> Needs(byte[] elf, string path)
    {
        var needs = new List<ElfVersionNeed>();
        foreach (var (offset, count, strings) in Sections(elf, path, VersionNeedsSection))
        {
            var need = offset;
            for (var n = 0; n < count; n++)
            {
                var library = String(elf, path, strings + U32(elf, path, need + 4));
                var auxCount = U16(elf, path, need + 2);
                var aux = need + U32(elf, path, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var flags = U16(elf, path, aux + 4);
                    needs.Add(new ElfVersionNeed(library, String(elf, path, strings + U32(elf, path, aux + 8)),
                        (flags & WeakFlag) != 0, checked((int)aux + 4)));
                    aux += U32(elf, path, aux + 12);
                }
                need += U32(elf, path, need + 12);
            }
        }
        return needs;
    }

    /// <summary>Every version the library defines (its own name included, as the first entry).</summary>
    public static IReadOnlyList<string> Definitions(byte[] elf, string path)
    {
        var definitions = new List<string>();
        foreach (var (offset, count, strings) in Sections(elf, path, VersionDefinitionsSection))
        {
            var definition = offset;
            for (var d = 0; d < count; d++)
            {
                // The first auxiliary entry names the version; any others name the versions it inherits from.
                var aux = definition + U32(elf, path, definition + 12);
                definitions.Add(String(elf, path, strings + U32(elf, path, aux)));
                definition += U32(elf, path, definition + 16);
            }
        }
        return definitions;
    }

    /// <summary>Offset, entry count and string table offset of every section of the given type.</summary>
    private static List<(long Offset, uint Count, long Strings)> Sections(byte[] elf, string path, uint type)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException($"{path} is not an ELF file (it does not start with 0x7F 'ELF').");
        }
        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a little-endian 64-bit ELF file (class {elf[4]}, data {elf[5]}); " +
                $"CnnLab reads only those.");
        }
        var table = (long)U64(elf, path, 0x28);
        var entrySize = U16(elf, path, 0x3A);
        var count = U16(elf, path, 0x3C);
        var sections = new List<(long, uint, long)>();
        for (var i = 0; i < count; i++)
        {
            var header = table + (long)i * entrySize;
            if (U32(elf, path, header + 4) != type)
            {
                continue;
            }
            var link = U32(elf, path, header + 40);
            var strings = (long)U64(elf, path, table + link * entrySize + 24);
            sections.Add(((long)U64(elf, path, header + 24), U32(elf, path, header + 44), strings));
        }
        return sections;
    }

    private static ushort U16(byte[] elf, string path, long offset) =>
        BinaryPrimitives.ReadUInt16LittleEndian(Slice(elf, path, offset, 2));

    private static uint U32(byte[] elf, string path, long offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Slice(elf, path, offset, 4));

    private static ulong U64(byte[] elf, string path, long offset) =>
        BinaryPrimitives.ReadUInt64LittleEndian(Slice(elf, path, offset, 8));

    private static string String(byte[] elf, string path, long offset)
    {
        var start = Slice(elf, path, offset, 1);
        var end = start.IndexOf((byte)0);
        if (end < 0)
        {
            throw Truncated(elf, path, offset);
        }
        return Encoding.ASCII.GetString(start[..end]);
    }

    private static ReadOnlySpan<byte> Slice(byte[] elf, string path, long offset, int length) =>
        offset >= 0 && offset <= elf.Length - length ? elf.AsSpan((int)offset) : throw Truncated(elf, path, offset);

    private static InvalidDataException Truncated(byte[] elf, string path, long offset) =>
        new($"{path} is not a valid ELF file: its version tables point at offset {offset}, past its {elf.Length} bytes.");
}
