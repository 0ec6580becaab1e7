using CnnLab.Bench;

// Benchmarks live here, never in unit tests: `dotnet run -c Release --project bench/CnnLab.Bench -- NAME`.
var name = args.Length > 0 ? args[0] : "";
switch (name)
{
    case "data":
        DataLoadingBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "train-speed":
        TrainingSpeedBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "compare":
        CompareBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: CnnLab.Bench data [--data-dir DIR] | train-speed [options] | compare [--model M] [--epochs 2] [--threads 2] [--rounds 2] ...");
        return 2;
}
