using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Engine;

/// <summary>
/// Opt-in (CNNLAB_ADAPT_THREADS=1): keeps libtorch's intra-op threads to the cores other processes leave free. OpenMP's
/// idle threads spin between parallel regions, which makes a 2-thread step fast on a quiet machine and 3-7x slower
/// when another process wants a core; lowering the thread count then keeps a step near one thread's speed. But a
/// different thread count splits libtorch's reductions differently, so the same seed no longer gives the same bits,
/// and a result depends on what else ran: off by default, the thread count is fixed for the run (the lab's promise of
/// bit-identical reruns and resumes), and when on, each epoch's fewest threads are logged as "threads"
/// (<see cref="TakeFewest"/>), so a report can tell runs that were not computed alike. Measured in docs/performance.md.
/// </summary>
public static class ThreadGovernor
{
    /// <summary>Environment variable that lets the thread count follow other processes' CPU use ("1"); unset or "0" keeps
    /// the configured count whatever else runs.</summary>
    public const string Variable = "CNNLAB_ADAPT_THREADS";

    /// <summary>How long the CPU use of other processes is averaged before the thread count follows it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);

    private static readonly object Gate = new();
    private static readonly Stopwatch Clock = new();
    private static CpuTimes? _last;
    private static int _configured;
    private static int _fewest;

    /// <summary>Where the CPU times come from: /proc, or a test's sequence of samples.</summary>
    internal static Func<CpuTimes?> Source { get; set; } = CpuTimes.Read;

    /// <summary>Whether the thread count follows other processes' CPU use (Linux, with CNNLAB_ADAPT_THREADS=1).</summary>
    public static bool Enabled { get; private set; }

    /// <summary>The intra-op threads in use now: the configured count, or fewer while other processes are busy.</summary>
    public static int Threads { get; private set; }

    /// <summary>How many times the count was lowered since the engine was configured.</summary>
    public static int Reductions { get; private set; }

    /// <summary>Starts from the configured count; called by <see cref="TorchEngine.Configure"/>.</summary>
    internal static void Reset(int configured)
    {
        lock (Gate)
        {
            _configured = configured;
            Threads = configured;
            Reductions = 0;
            Enabled = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) == "1" && Source() is not null;
            _fewest = configured;
            _last = null;
            Clock.Restart();
        }
    }

    /// <summary>The fewest threads used since the last call (or since <see cref="Reset"/>); then starts counting again.</summary>
    public static int TakeFewest()
    {
        lock (Gate)
        {
            var fewest = _fewest;
            _fewest = Threads;
            return fewest;
        }
    }

    /// <summary>
    /// Called between batches on the thread that runs them (OpenMP's thread count is that thread's setting). Reads
    /// /proc at most every <see cref="Interval"/>, so the call is almost always a clock check.
    /// </summary>
    public static void Tick()
    {
        if (!Enabled || Clock.Elapsed < Interval)
        {
            return;
        }
        lock (Gate)
        {
            if (!Enabled || Clock.Elapsed < Interval)
            {
                return;
            }
            Clock.Restart();
            var now = Source();
            if (now is null)
            {
                Enabled = false;
                return;
            }
            if (_last is { } last)
            {
                var wanted = Choose(_configured, now.Cores, now.OtherCores(last));
                if (wanted != Threads)
                {
                    if (wanted < Threads)
                    {
                        Reductions++;
                    }
                    set_num_threads(wanted);
                    Threads = wanted;
                    _fewest = Math.Min(_fewest, wanted);
                }
            }
            _last = now;
        }
    }

    /// <summary>
    /// The threads to run: the configured count, but no more than the machine's cores that other processes left free
    /// (their use rounded to whole cores, so a stray half-busy shell does not halve training), and at least one. In a
    /// container /proc/stat describes the whole host, so a busy host with free cores left keeps the configured count.
    /// </summary>
    public static int Choose(int configured, int cores, double otherCores)
    {
        var free = cores - (int)Math.Floor(Math.Max(0, otherCores) + 0.5);
        return Math.Clamp(free, 1, Math.Max(1, configured));
    }

    /// <summary>The machine's busy time (all cores together) and this process's CPU time, in clock ticks, from /proc.</summary>
    internal sealed record CpuTimes(long MachineBusy, long MachineTotal, long Own, int Cores)
    {
        /// <summary>The cores that processes other than this one kept busy, on average, since <paramref name="earlier"/>.</summary>
        public double OtherCores(CpuTimes earlier)
        {
            var total = MachineTotal - earlier.MachineTotal;
            if (total <= 0)
            {
                return 0;
            }
            var others = (MachineBusy - earlier.MachineBusy) - (Own - earlier.Own);
            // Ticks of all cores together: as a share of the interval, times the cores, gives cores.
            return Math.Max(0, (double)others / total * Cores);
        }

        /// <summary>Reads /proc/stat's first line and /proc/self/stat; null where they are missing or unreadable.</summary>
        public static CpuTimes? Read()
        {
            try
            {
                var machine = File.ReadAllLines("/proc/stat");
                var self = File.ReadAllText("/proc/self/stat");
                var cores = machine.Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && l.Length > 3 && char.IsAsciiDigit(l[3]));
                return Parse(machine.FirstOrDefault(), self, cores);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// Busy time is everything but idle, iowait and steal (the hypervisor's share is nobody's here). The process's
        /// utime and stime follow its name, which may hold spaces and parentheses, so they are counted from the last ")".
        /// </summary>
        public static CpuTimes? Parse(string? machine, string self, int cores)
        {
            if (machine is null || !machine.StartsWith("cpu ", StringComparison.Ordinal) || cores < 1)
            {
                return null;
            }
            var fields = machine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).ToArray();
            var close = self.LastIndexOf(')');
            if (fields.Length < 8 || close < 0)
            {
                return null;
            }
            var values = new long[8];
            for (var i = 0; i < 8; i++)
            {
                if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    return null;
                }
            }
            // After ")": state is field 3, utime field 14 and stime field 15 of the whole line.
            var rest = self[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length < 13 ||
                !long.TryParse(rest[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user) ||
                !long.TryParse(rest[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
            {
                return null;
            }
            var total = values.Sum();
            var busy = total - values[3] - values[4] - values[7];
            return new CpuTimes(busy, total, user + system, cores);
        }
    }
}
