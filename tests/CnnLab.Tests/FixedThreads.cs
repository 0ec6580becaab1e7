using System.Runtime.CompilerServices;
using CnnLab.Engine;

namespace CnnLab.Tests;

/// <summary>
/// The thread governor (Engine/ThreadGovernor.cs) lowers the thread count while other processes keep cores busy, and
/// the CLI tests start such processes beside the others. A different thread count can reorder float sums, so tests
/// that compare two trainings bit for bit (a resume against an uninterrupted run) would fail now and then. This
/// process runs with the governor off; ThreadGovernorTests turn it on for themselves, and CliRunner's programs get
/// the environment the user would have.
/// </summary>
internal static class FixedThreads
{
    [ModuleInitializer]
    internal static void TurnTheGovernorOff() => Environment.SetEnvironmentVariable(ThreadGovernor.Variable, "0");

    /// <summary>The governor on until disposed (then off again, and the engine configured with 2 threads or fewer).</summary>
    public static IDisposable GovernorOn()
    {
        Environment.SetEnvironmentVariable(ThreadGovernor.Variable, null);
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
