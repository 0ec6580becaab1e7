using System.Runtime.Versioning;
using CnnLab.Engine;

namespace CnnLab.Tests.Engine;

/// <summary>The fix runs on Linux only, where libLibTorchSharp.so is an ELF file (TorchSharp's linux-x64 package).</summary>
[SupportedOSPlatform("linux")]
public sealed class GlibcxxFixTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-glibcxx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void On_Debian_12_only_GLIBCXX_3_4_32_is_missing_and_weakening_changes_one_byte()
    {
        var path = NuGetNative.LibTorchSharp();
        var original = File.ReadAllBytes(path);
        var elf = (byte[])original.Clone();

        Assert.Equal(new[] { "GLIBCXX_3.4.32" }, GlibcxxFix.Missing(elf, path, NuGetNative.Debian12Versions()));
        Assert.True(GlibcxxFix.Weaken(elf, path, NuGetNative.Debian12Versions()));

        var changed = Enumerable.Range(0, elf.Length).Where(i => elf[i] != original[i]).ToList();
        Assert.Equal(new[] { 0x3f8f0 + 0x140 + 4 }, changed);
        Assert.Equal(ElfVersions.WeakFlag, elf[changed[0]]);
        Assert.Empty(GlibcxxFix.Missing(elf, path, NuGetNative.Debian12Versions()));
        Assert.False(GlibcxxFix.Weaken(elf, path, NuGetNative.Debian12Versions()));
    }

    [Fact]
    public void Where_libstdcxx_has_the_version_nothing_changes()
    {
        var path = NuGetNative.LibTorchSharp();
        var elf = File.ReadAllBytes(path);
        var versions = new HashSet<string>(NuGetNative.Debian12Versions()) { "GLIBCXX_3.4.31", "GLIBCXX_3.4.32" };

        Assert.False(GlibcxxFix.Weaken(elf, path, versions));
        Assert.Equal(File.ReadAllBytes(path), elf);
        Assert.Empty(GlibcxxFix.Missing(elf, path, versions));
    }

    [Fact]
    public void A_version_other_than_GLIBCXX_3_4_32_is_reported_missing_and_never_weakened()
    {
        var path = NuGetNative.LibTorchSharp();
        var elf = File.ReadAllBytes(path);
        var older = new HashSet<string>(NuGetNative.Debian12Versions());
        older.Remove("GLIBCXX_3.4.30");

        Assert.True(GlibcxxFix.Weaken(elf, path, older));
        Assert.Equal(new[] { "GLIBCXX_3.4.30" }, GlibcxxFix.Missing(elf, path, older));
    }

    [Fact]
    public void Apply_patches_the_applications_copy_in_place_keeping_its_mode_and_timestamp()
    {
        var file = Path.Combine(_folder, "libLibTorchSharp.so");
        File.Copy(NuGetNative.LibTorchSharp(), file);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var written = new DateTime(2026, 5, 7, 10, 3, 28, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, written);

        Assert.True(GlibcxxFix.Apply(file, NuGetNative.Debian12Versions()));

        Assert.Empty(GlibcxxFix.Missing(File.ReadAllBytes(file), file, NuGetNative.Debian12Versions()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead,
            File.GetUnixFileMode(file));
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Equal(new[] { "libLibTorchSharp.so" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
        Assert.False(GlibcxxFix.Apply(file, NuGetNative.Debian12Versions()));
    }

    [Fact]
    public void Apply_never_changes_the_NuGet_package_cache()
    {
        var file = NuGetNative.LibTorchSharp();
        var before = File.ReadAllBytes(file);

        var error = Assert.Throws<IOException>(() => GlibcxxFix.Apply(file, NuGetNative.Debian12Versions()));

        Assert.Equal($"{file} lies in the NuGet package cache, which CnnLab never changes", error.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
    }
}
