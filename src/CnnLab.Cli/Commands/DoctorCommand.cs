using System.CommandLine;
using CnnLab.Engine;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab doctor</c>: the engine's setup on this machine, and whether the fast convolution path passed its self-test.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var threads = CommonOptions.Threads();
        var command = new Command("doctor", "Print the CPU and its instruction sets, the libtorch and oneDNN versions, threads, " +
            "the convolution self-test's figures and the path in use.")
        {
            threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchEngine.Configure(parse.GetValue(threads));
            Console.Write(EngineReport.Describe());
            return 0;
        }));
        return command;
    }
}
