using System.Diagnostics;
using CnnLab.Engine;

namespace CnnLab.Tests.Engine;

/// <summary>The intra-op thread count follows the cores other processes leave free, and comes back when they stop.</summary>
[Collection(EngineCollection.Name)]
public class ThreadGovernorTests
{
    [Theory]
    [InlineData(2, 2, 0.0, 2)]
    [InlineData(2, 2, 0.4, 2)]      // a half-busy shell does not halve training
    [InlineData(2, 2, 0.6, 1)]
    [InlineData(2, 2, 1.9, 1)]
    [InlineData(2, 2, 7.0, 1)]      // never below one
    [InlineData(4, 64, 60.0, 4)]    // a busy host with free cores left (a container's view) keeps the count
    [InlineData(4, 64, 61.2, 3)]
    [InlineData(1, 2, 0.0, 1)]      // never above the configured count
    public void Choose_keeps_to_the_free_cores(int configured, int cores, double otherCores, int expected) =>
        Assert.Equal(expected, ThreadGovernor.Choose(configured, cores, otherCores));

    [Fact]
    public void Proc_files_are_read_with_a_process_name_holding_spaces_and_parentheses()
    {
        const string machine = "cpu  1000 10 200 5000 40 3 7 50 0 0";
        const string self = "4242 (odd) name (x)) R 1 4242 4242 0 -1 4194560 1 0 0 0 120 30 0 0 20 0 3 0 1 1 1";

        var times = ThreadGovernor.CpuTimes.Parse(machine, self, 2)!;

        // busy = all - idle - iowait - steal; own = utime + stime.
        Assert.Equal(new ThreadGovernor.CpuTimes(1000 + 10 + 200 + 3 + 7, 6310, 150, 2), times);
    }

    [Theory]
    [InlineData("intr 1 2 3", "1 (a) R 1 1 1 0 -1 0 0 0 0 0 1 1")]
    [InlineData("cpu  1 2 3", "1 (a) R 1 1 1 0 -1 0 0 0 0 0 1 1")]
    [InlineData("cpu  1 2 3 4 5 6 7 -8", "1 (a) R 1 1 1 0 -1 0 0 0 0 0 1 1")]
    [InlineData("cpu  1 2 3 4 5 6 7 8", "1 (a R 1 1 1 0 -1 0 0 0 0 0 1 1")]
    [InlineData("cpu  1 2 3 4 5 6 7 8", "1 (a) R 1 1")]
    public void Unexpected_proc_files_turn_the_governor_off_instead_of_guessing(string machine, string self) =>
        Assert.Null(ThreadGovernor.CpuTimes.Parse(machine, self, 2));

    [Fact]
    public void Other_cores_are_the_busy_ticks_this_process_did_not_spend()
    {
        var before = new ThreadGovernor.CpuTimes(1000, 4000, 300, 2);
        // 200 ticks of both cores together pass: 150 busy, 50 of them this process's, so others kept 100 of 200 = 1 core.
        var after = new ThreadGovernor.CpuTimes(1150, 4200, 350, 2);

        Assert.Equal(1.0, after.OtherCores(before), 6);
        Assert.Equal(0.0, before.OtherCores(before));
    }

    [Fact]
    public void A_busy_process_beside_training_takes_a_thread_away()
    {
        var cores = Environment.ProcessorCount;
        if (cores < 2 || !OperatingSystem.IsLinux())
        {
            return;    // one core has no thread to give away; elsewhere /proc is not there to read
        }
        using var governor = FixedThreads.GovernorOn();
        TorchEngine.Configure(cores);
        try
        {
            Assert.True(ThreadGovernor.Enabled);
            using var busy = Process.Start("/bin/sh", new[] { "-c", "while :; do :; done" });
            try
            {
                // Other load on the machine can only take more threads away, so this holds however busy CI is.
                Assert.True(TickUntil(() => ThreadGovernor.Threads <= cores - 1),
                    $"threads stayed at {ThreadGovernor.Threads} with one core busy elsewhere");
                Assert.Equal(ThreadGovernor.Threads, TorchSharp.torch.get_num_threads());
                Assert.True(ThreadGovernor.Reductions >= 1);
            }
            finally
            {
                busy.Kill();
                busy.WaitForExit();
            }
        }
        finally
        {
            TorchEngine.Configure(2);
        }
    }

    [Fact]
    public void The_threads_come_back_when_the_other_processes_stop()
    {
        // Samples of a 2-core machine (ticks of both cores together): the first is Configure's check, the second the
        // starting point; then another process keeps one core busy (100 of 200 ticks), then nobody (0 of 200).
        var samples = new[]
        {
            new ThreadGovernor.CpuTimes(0, 0, 0, 2), new ThreadGovernor.CpuTimes(0, 0, 0, 2),
            new ThreadGovernor.CpuTimes(100, 200, 0, 2), new ThreadGovernor.CpuTimes(100, 400, 0, 2),
        };
        var next = 0;
        using var governor = FixedThreads.GovernorOn();
        var original = ThreadGovernor.Source;
        ThreadGovernor.Source = () => samples[Math.Min(next++, samples.Length - 1)];
        try
        {
            TorchEngine.Configure(2);
            Assert.True(TickUntil(() => ThreadGovernor.Threads == 1),
                $"threads stayed at {ThreadGovernor.Threads} while another process kept a core busy");
            Assert.Equal(1, TorchSharp.torch.get_num_threads());
            Assert.True(TickUntil(() => ThreadGovernor.Threads == 2), $"threads stayed at {ThreadGovernor.Threads} once nothing else ran");
            Assert.Equal(2, TorchSharp.torch.get_num_threads());
        }
        finally
        {
            ThreadGovernor.Source = original;
            TorchEngine.Configure(2);
        }
    }

    private static bool TickUntil(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            ThreadGovernor.Tick();
            if (done())
            {
                return true;
            }
            Thread.Sleep(20);
        }
        return false;
    }
}
