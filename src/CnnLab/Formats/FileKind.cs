namespace CnnLab.Formats;

/// <summary>What a path names, as the operating system says (following symbolic links).</summary>
public enum FileKind
{
    /// <summary>Nothing is there (or a symbolic link whose target is missing).</summary>
    Missing,

    /// <summary>A regular file: the only kind CnnLab reads models from or writes to.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A character device such as /dev/null, /dev/full or /dev/zero.</summary>
    CharacterDevice,

    /// <summary>A block device such as a disk.</summary>
    BlockDevice,

    /// <summary>A named pipe (FIFO): reading blocks until something writes.</summary>
    Fifo,

    /// <summary>A Unix domain socket.</summary>
    Socket,
}
