using CnnLab.Cli.Commands;

namespace CnnLab.Tests.Cli;

public class CommandErrorsTests
{
    [Fact]
    public void CnnLabs_own_libtorch_diagnosis_is_printed_as_it_is()
    {
        var inner = new InvalidOperationException("libtorch did not load: /app/libLibTorchSharp.so needs GLIBCXX_3.4.32, ...");

        Assert.Equal("libtorch did not load: /app/libLibTorchSharp.so needs GLIBCXX_3.4.32, ...", CommandErrors.EngineFailure(inner));
    }

    [Fact]
    public void TorchSharps_misleading_message_is_replaced_by_what_the_loader_says_or_its_first_line()
    {
        var inner = new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to " +
            "libtorch-cpu-linux-x64, Version=2.10.0.0.\n\nConsider ...");

        // In this process libtorch loads, so CnnLab's loader has nothing to say and TorchSharp's first line remains.
        Assert.Equal("the libtorch engine did not load: This application or script uses TorchSharp but doesn't contain a reference to "
            + "libtorch-cpu-linux-x64, Version=2.10.0.0. (see README, \"Engine\").", CommandErrors.EngineFailure(inner));
    }

    [Fact]
    public void The_library_names_its_arguments_and_the_command_line_its_options()
    {
        var library = new FileNotFoundException("Tiny was not found in `dataDir` \"/data\": the folder does not exist.");

        Assert.Equal("Tiny was not found in --data-dir \"/data\": the folder does not exist.", CommandErrors.Describe(library));
        Assert.Equal("Use --device cpu.", CommandErrors.Describe(new ArgumentException("Use `device` cpu.", "name")));
    }
}
