using System.Globalization;

namespace CnnLab.Bench;

/// <summary>
/// This machine's theoretical fp32 peak from what /proc/cpuinfo reports: the widest vector ISA in its flags, the
/// FMA units that ISA implies, the clock and the logical CPU count. A throughput ceiling to read achieved
/// GFLOP/s against, not a measurement; <see cref="Explanation"/> says how each figure was obtained, so the
/// percentage can be checked or recomputed.
/// </summary>
internal sealed record PeakFlops(string Cpu, string Isa, double FlopsPerCycle, string FlopsPerCycleReason, double Ghz, string ClockSource,
    int Cores)
{
    public double GflopsFor(int threads) => Math.Min(threads, Cores) * FlopsPerCycle * Ghz;

    public string Explanation(int threads) => string.Create(CultureInfo.InvariantCulture,
        $"fp32 peak for {Math.Min(threads, Cores)} of {Cores} logical CPUs: {GflopsFor(threads):F0} GFLOP/s = " +
        $"{Math.Min(threads, Cores)} cores x " +
        $"{FlopsPerCycle:F0} flop/cycle ({FlopsPerCycleReason}) x {Ghz:F3} GHz ({ClockSource}); CPU \"{Cpu}\". " +
        $"Logical CPUs are counted as cores: where a VM's vCPUs are SMT siblings of one core the true peak is lower.");

    /// <summary>Reads /proc/cpuinfo; flopsPerCycle and ghz, when given, replace what it implies.</summary>
    public static PeakFlops Detect(double? flopsPerCycle, double? ghz)
    {
        var info = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").ToList() : new List<string>();
        string? Field(string name) => info.Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(':'))
            .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault();
        var flags = (Field("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var vendor = Field("vendor_id") ?? "";
        var family = int.TryParse(Field("cpu family"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var f) ? f : 0;
        var cpu = $"{Field("model name") ?? "unknown"}, {vendor} family {family}";

        var (isa, perCycle, reason) = (flags.Contains("avx512f"), flags.Contains("avx2") && flags.Contains("fma"),
            flags.Contains("avx")) switch
        {
            // Zen 4 (AMD family 25) executes a 512-bit FMA as two halves on its two 256-bit FMA pipes.
            (true, _, _) when vendor == "AuthenticAMD" && family == 25 =>
                ("AVX-512", 32.0, "AVX-512 on AMD family 25 (Zen 4): 2 FMA units x 8 floats (256-bit datapath) x 2 flops"),
            // Zen 5 (family 26) and Intel's server cores have two full 512-bit FMA units; some small Xeons have one.
            (true, _, _) => ("AVX-512", 64.0, "AVX-512: 2 FMA units x 16 floats x 2 flops, assuming two 512-bit FMA units"),
            (false, true, _) => ("AVX2+FMA", 32.0, "AVX2 with FMA: 2 FMA units x 8 floats x 2 flops"),
            (false, false, true) => ("AVX", 16.0, "AVX without FMA: 1 add + 1 multiply unit x 8 floats"),
            _ => ("SSE", 8.0, "SSE: 1 add + 1 multiply unit x 4 floats"),
        };
        if (flopsPerCycle is { } fpc)
        {
            (perCycle, reason) = (fpc, $"given with --flops-per-cycle; the flags say {isa}");
        }

        double clock;
        string source;
        if (ghz is { } g)
        {
            (clock, source) = (g, "given with --ghz");
        }
        else if (ReadKhz("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") is { } khz)
        {
            (clock, source) = (khz / 1e6, "highest clock from cpufreq cpuinfo_max_freq");
        }
        else
        {
            // VMs have no cpufreq; their "cpu MHz" is the clock the hypervisor reports (often the nominal one), so
            // a host boosting above it would make the real peak higher.
            var mhz = info.Where(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(':')[1], CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).Max();
            (clock, source) = double.IsNaN(mhz)
                ? (2.5, "no clock reported, 2.5 GHz assumed")
                : (mhz / 1000, "\"cpu MHz\" in /proc/cpuinfo, highest over CPUs; no cpufreq here, so boost clocks are not known");
        }
        return new PeakFlops(cpu, isa, perCycle, reason, clock, source, Environment.ProcessorCount);
    }

    private static double? ReadKhz(string path) =>
        File.Exists(path) && double.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var khz)
            ? khz : null;
}
