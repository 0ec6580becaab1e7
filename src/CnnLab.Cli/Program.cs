using System.CommandLine;
using CnnLab.Cli.Commands;

// Inside CommandErrors too: building the commands is CnnLab's first use, where a libtorch that cannot load is reported.
return CommandErrors.Run(() =>
{
    var root = new RootCommand("CnnLab: Keras-style CNNs on TorchSharp. Build, train and compare models from the command line.");
    root.Subcommands.Add(SummaryCommand.Create());
    root.Subcommands.Add(TrainCommand.Create());
    root.Subcommands.Add(DataCommand.Create());
    root.Subcommands.Add(StudyCommand.Create());
    root.Subcommands.Add(EvaluateCommand.Create());
    root.Subcommands.Add(PredictCommand.Create());
    root.Subcommands.Add(ExportCommand.Create());
    return root.Parse(args).Invoke();
});
