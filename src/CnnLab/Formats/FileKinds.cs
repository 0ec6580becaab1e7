using System.Runtime.InteropServices;

namespace CnnLab.Formats;

/// <summary>
/// Tells a regular file from a device, a FIFO or a socket. .NET reports all of them as files (File.Exists is true
/// for /dev/full), so on Linux the type comes from statx(2), whose buffer layout is the same on every architecture.
/// Elsewhere, or where statx is unavailable, only folders are told apart and everything else counts as regular.
/// </summary>
public static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;
    private const int StatxSize = 256;

    /// <summary>The kind of what <paramref name="path"/> names, following symbolic links.</summary>
    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux() && Statx(path) is { } kind)
        {
            return kind;
        }
        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>
    /// Refuses a path that names something other than a regular file (a FIFO blocks until someone writes to it, a device
    /// never ends, a folder is not read): "PATH: is a named pipe (FIFO), not a regular file; expected <paramref name="expected"/>."
    /// A missing path is left to the caller, whose message says what was looked for.
    /// </summary>
    public static void RequireRegularFile(string path, string expected)
    {
        var kind = Of(path);
        if (kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw new InvalidDataException($"{path}: is {Describe(kind)}, not a regular file; expected {expected}.");
        }
    }

    /// <summary>
    /// The text of a regular file of at most <paramref name="maxBytes"/>, checked before it is read; otherwise an error
    /// naming the file, its kind or size, and <paramref name="what"/> was expected.
    /// </summary>
    public static string ReadText(string path, long maxBytes, string what)
    {
        RequireRegularFile(path, what);
        var length = new FileInfo(path).Length;
        if (length > maxBytes)
        {
            throw new InvalidDataException($"{path}: is {length:N0} bytes; {what} is at most {maxBytes:N0}.");
        }
        return File.ReadAllText(path);
    }

    /// <summary>The kind in words, for errors: "a character device (such as /dev/full)".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.CharacterDevice => "a character device (such as /dev/null)",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a named pipe (FIFO)",
        _ => "a socket",
    };

    // The kind from st_mode's type bits, or null when statx cannot say (not available, no permission).
    private static unsafe FileKind? Statx(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        int result;
        try
        {
            result = StatxCall(AtFdCwd, path, 0, StatxType, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        if (result != 0)
        {
            // ENOENT and ENOTDIR: nothing there, or a dangling symbolic link.
            return Marshal.GetLastPInvokeError() is 2 or 20 ? FileKind.Missing : null;
        }
        return (*(ushort*)(buffer + StatxModeOffset) & 0xF000) switch
        {
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Regular,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int StatxCall(int directory, string path, int flags, uint mask, byte* buffer);
}
