using System.Globalization;

namespace CnnLab.Bench;

/// <summary>
/// The whole machine's CPU use over a short window, from the aggregate "cpu" line of /proc/stat. Taken before
/// each benchmark run because on a shared VM another process (or the hypervisor, as steal) can take a core and
/// double a run's time; a run that started on a busy machine can then be recognised instead of trusted.
/// </summary>
internal sealed record CpuBusy(double Busy, double Steal)
{
    /// <summary>Not measurable (no /proc/stat): NaN shares, printed as "n/a".</summary>
    public static readonly CpuBusy Unknown = new(double.NaN, double.NaN);

    public static CpuBusy Sample(TimeSpan window)
    {
        var before = Read();
        Thread.Sleep(window);
        var after = Read();
        if (before is null || after is null)
        {
            return Unknown;
        }
        var delta = after.Zip(before, (a, b) => a - b).ToArray();
        // user nice system idle iowait irq softirq steal; guest time is already counted in user, so it is left out.
        var total = delta.Take(8).Sum();
        if (total <= 0)
        {
            return Unknown;
        }
        var idle = delta[3] + delta[4];
        return new CpuBusy((double)(total - idle) / total, (double)delta[7] / total);
    }

    public override string ToString() => double.IsNaN(Busy)
        ? "n/a"
        : string.Create(CultureInfo.InvariantCulture, $"{100 * Busy:F0}% (steal {100 * Steal:F0}%)");

    private static long[]? Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }
        var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToList();
        // Old kernels print fewer than 8 fields; the missing ones (steal, irq) are zero there.
        while (fields.Count < 8)
        {
            fields.Add(0);
        }
        return fields.ToArray();
    }
}
