using CnnLab.Engine;

namespace CnnLab.Tests.Engine;

public class ElfVersionsTests
{
    [Fact]
    public void Needs_of_TorchSharps_library_are_the_ones_readelf_lists_in_file_order()
    {
        var path = NuGetNative.LibTorchSharp();

        var needs = ElfVersions.Needs(File.ReadAllBytes(path), path);

        // `readelf -V libLibTorchSharp.so`, .gnu.version_r, the libstdc++.so.6 entry (TorchSharp 0.107.0).
        Assert.Equal(new[]
        {
            "GLIBCXX_3.4.30", "GLIBCXX_3.4.29", "CXXABI_1.3.13", "GLIBCXX_3.4.14", "GLIBCXX_3.4.26", "GLIBCXX_3.4.19",
            "CXXABI_1.3.1", "GLIBCXX_3.4.32", "GLIBCXX_3.4.18", "CXXABI_1.3.5", "GLIBCXX_3.4.22", "GLIBCXX_3.4.9",
            "CXXABI_1.3.3", "GLIBCXX_3.4.11", "GLIBCXX_3.4.15", "GLIBCXX_3.4.20", "GLIBCXX_3.4.21", "CXXABI_1.3.9",
            "CXXABI_1.3", "GLIBCXX_3.4",
        }, needs.Where(n => n.Library == "libstdc++.so.6").Select(n => n.Version));
        Assert.Equal(new[] { "ld-linux-x86-64.so.2", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "libstdc++.so.6" },
            needs.Select(n => n.Library).Distinct());
        Assert.All(needs, n => Assert.False(n.Weak));
        // readelf: the section starts at 0x3f8f0 and GLIBCXX_3.4.32's entry at 0x140 in it; flags follow its 4-byte hash.
        Assert.Equal(0x3f8f0 + 0x140 + 4, needs.Single(n => n.Version == "GLIBCXX_3.4.32").FlagsOffset);
    }

    [Fact]
    public void Definitions_of_the_processes_libstdcxx_start_with_its_name_and_hold_the_base_versions()
    {
        var path = SystemLibstdcxx.Locate()!;

        var definitions = ElfVersions.Definitions(File.ReadAllBytes(path), path);

        Assert.Equal("libstdc++.so.6", definitions[0]);
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused_with_its_name()
    {
        var bytes = new byte[64];

        var error = Assert.Throws<InvalidDataException>(() => ElfVersions.Needs(bytes, "/x/notes.txt"));

        Assert.Equal("/x/notes.txt is not an ELF file (it does not start with 0x7F 'ELF').", error.Message);
    }

    [Fact]
    public void A_32_bit_ELF_file_is_refused_with_its_class()
    {
        var bytes = new byte[64];
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 1 }.CopyTo(bytes, 0);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersions.Definitions(bytes, "/x/lib32.so"));

        Assert.Equal("/x/lib32.so is not a little-endian 64-bit ELF file (class 1, data 1); CnnLab reads only those.", error.Message);
    }

    [Fact]
    public void A_truncated_library_is_refused_with_the_offset_it_points_at()
    {
        var path = NuGetNative.LibTorchSharp();
        var truncated = File.ReadAllBytes(path)[..0x3f900];

        var error = Assert.Throws<InvalidDataException>(() => ElfVersions.Needs(truncated, "/x/libLibTorchSharp.so"));

        // The section headers sit at the end of the file, so the first read past the cut is the first header's type.
        var firstHeaderType = BitConverter.ToUInt64(truncated, 0x28) + 4;
        Assert.Equal($"/x/libLibTorchSharp.so is not a valid ELF file: its version tables point at offset {firstHeaderType}, " +
            $"past its 260352 bytes.",
            error.Message);
    }
}
