using System.Globalization;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// An exclusive lock on one run and seed's folder, held while it trains, so two processes on one results folder
/// never train the same run at once. It is the operating system's lock (.NET opens the file with flock on Linux
/// and macOS, LockFile on Windows): it goes away when the process dies, even by kill -9, so a crash never leaves a
/// run locked. On NFS, Linux turns flock into NFS byte-range locks (lockd, or NFSv4's own), so workers on different
/// machines exclude each other too.
/// </summary>
internal sealed class RunLock : IDisposable
{
    private const string FileName = ResultsFolder.Lock;
    private const string OwnerFileName = ResultsFolder.LockOwner;
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of <paramref name="folder"/>, or returns null
    /// when another process (or another open handle) holds it.</summary>
    public static RunLock? TryAcquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
        // Who holds it, for the message a second worker prints; a separate file because the lock file itself cannot be read while locked.
        File.WriteAllText(Path.Combine(folder, OwnerFileName),
            string.Create(CultureInfo.InvariantCulture,
                $"process {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"));
        return new RunLock(stream);
    }

    /// <summary>Whether a process holds the lock of <paramref name="folder"/> now; creates nothing.</summary>
    public static bool IsHeld(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Who holds the lock of <paramref name="folder"/>, as its holder wrote it, or "another process".</summary>
    public static string Holder(string folder)
    {
        try
        {
            var owner = File.ReadAllText(Path.Combine(folder, OwnerFileName)).Trim();
            return owner.Length is > 0 and < 200 ? owner : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }

    public void Dispose() => _stream.Dispose();
}
