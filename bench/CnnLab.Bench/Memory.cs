namespace CnnLab.Bench;

/// <summary>Resident memory of this process from /proc (Linux).</summary>
internal static class Memory
{
    public static double RssMegabytes() => Read("VmRSS:");

    public static double PeakRssMegabytes() => Read("VmHWM:");

    private static double Read(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
