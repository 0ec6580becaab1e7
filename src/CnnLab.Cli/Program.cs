using System.CommandLine;
using System.CommandLine.Parsing;
using CnnLab.Cli.Commands;

// Inside CommandErrors too: building the commands is CnnLab's first use, where a libtorch that cannot load is reported.
return CommandErrors.Run(() =>
{
    var root = new RootCommand("CnnLab: Keras-style CNNs on TorchSharp. Build, train and compare models from the command line.");
    root.Subcommands.Add(SummaryCommand.Create());
    root.Subcommands.Add(TrainCommand.Create());
    root.Subcommands.Add(DataCommand.Create());
    root.Subcommands.Add(StudyCommand.Create());
    root.Subcommands.Add(SearchCommand.Create());
    root.Subcommands.Add(EvaluateCommand.Create());
    root.Subcommands.Add(PredictCommand.Create());
    root.Subcommands.Add(ExportCommand.Create());
    root.Subcommands.Add(ConvertCommand.Create());
    root.Subcommands.Add(DoctorCommand.Create());
    root.Subcommands.Add(ServeCommand.Create());
    var parsed = root.Parse(args);
    if (parsed.Errors.Count > 0)
    {
        // One line per mistake, as every other bad input gets, instead of the whole help text after it.
        foreach (var error in parsed.Errors.Select(e => e.Message).Distinct())
        {
            Console.Error.WriteLine($"error: {error}");
        }
        var names = new List<string> { "cnnlab" };
        for (var result = parsed.CommandResult; result.Command != root; result = (CommandResult)result.Parent!)
        {
            names.Insert(1, result.Command.Name);
        }
        Console.Error.WriteLine($"See '{string.Join(' ', names)} --help'.");
        return 1;
    }
    return parsed.Invoke();
});
