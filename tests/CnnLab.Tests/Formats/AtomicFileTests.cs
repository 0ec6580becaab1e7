using CnnLab.Formats;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Formats;

/// <summary>
/// Writing by rename replaces whatever the name points to, so only regular files are written: devices, FIFOs and
/// folders are refused and left as they were; a symbolic link is written through to its target and stays a link.
/// Unix only: devices, FIFOs and file modes are what is tested.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_character_device_is_refused_and_stays_a_device()
    {
        var device = HostileFiles.DeviceFull(_folder);

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(device, new byte[] { 1, 2, 3 }));

        Assert.Equal($"{device} is a character device (such as /dev/null), not a regular file. Saving writes a new file and renames it " +
                     $"over the target, " +
                     "which would replace it; give the path of a regular file to create or overwrite.", error.Message);
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of(device));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(device)!, "*.tmp"));
    }

    [Fact]
    public void A_fifo_and_a_folder_are_refused_and_left_as_they_were()
    {
        var fifo = HostileFiles.Fifo(_folder);
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "model.safetensors")).FullName;
        File.WriteAllText(Path.Combine(folder, "inside.txt"), "kept");

        Assert.Equal($"{fifo} is a named pipe (FIFO), not a regular file. Saving writes a new file and renames it over the target, " +
                     "which would replace it; give the path of a regular file to create or overwrite.",
            Assert.Throws<IOException>(() => AtomicFile.WriteText(fifo, "x")).Message);
        Assert.StartsWith($"{folder} is a folder, not a regular file.",
            Assert.Throws<IOException>(() => AtomicFile.WriteText(folder, "x")).Message);

        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(folder, "inside.txt")));
        Assert.Equal(new[] { "pipe" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_symbolic_link_is_written_through_to_its_target_and_stays_a_link()
    {
        var target = Path.Combine(_folder, "real", "model.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "old");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_folder, "latest.safetensors");
        File.CreateSymbolicLink(link, target);

        AtomicFile.WriteText(link, "new");

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
    }

    [Fact]
    public void A_dangling_link_creates_its_target_and_a_link_to_a_device_is_refused()
    {
        var target = Path.Combine(_folder, "missing.safetensors");
        var dangling = Path.Combine(_folder, "dangling.safetensors");
        File.CreateSymbolicLink(dangling, target);

        AtomicFile.WriteText(dangling, "created");

        Assert.Equal("created", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(dangling).LinkTarget);

        var device = HostileFiles.DeviceFull(_folder);
        var toDevice = Path.Combine(_folder, "to-device.safetensors");
        File.CreateSymbolicLink(toDevice, device);
        Assert.StartsWith($"{toDevice} (a symbolic link to {device}) is a character device (such as /dev/null), not a regular file.",
            Assert.Throws<IOException>(() => AtomicFile.WriteText(toDevice, "x")).Message);
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of(device));
    }

    [Fact]
    public void File_kinds_follow_links_and_tell_missing_from_regular()
    {
        var file = Path.Combine(_folder, "file");
        File.WriteAllText(file, "");

        Assert.Equal(FileKind.Regular, FileKinds.Of(file));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(_folder, "none")));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(file, "below-a-file")));
        Assert.Equal(FileKind.Directory, FileKinds.Of(_folder));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
    }
}
