using System.Runtime.CompilerServices;
using CnnLab.Engine;

namespace CnnLab.Tests;

/// <summary>
/// The thread governor (Engine/ThreadGovernor.cs) is opt-in (CNNLAB_ADAPT_THREADS=1): it lowers the thread count while
/// other processes keep cores busy, which reorders float sums. This test process keeps it off even where a developer's
/// environment turns it on, so tests that compare two trainings bit for bit hold; ThreadGovernorTests turn it on for
/// themselves.
/// </summary>
internal static class FixedThreads
{
    [ModuleInitializer]
    internal static void TurnTheGovernorOff() => Environment.SetEnvironmentVariable(ThreadGovernor.Variable, "0");

    /// <summary>The governor on until disposed (then off again, and the engine configured with 2 threads or fewer).</summary>
    public static IDisposable GovernorOn()
    {
        Environment.SetEnvironmentVariable(ThreadGovernor.Variable, "1");
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose()
        {
            TurnTheGovernorOff();
            TorchEngine.Configure(Math.Min(2, Environment.ProcessorCount));
        }
    }
}
