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
    case "time-to-accuracy":
        TimeToAccuracyBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "layer-profile":
        LayerProfileBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "step-profile":
        StepProfileBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "compare":
        CompareBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "inference":
        InferenceBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: CnnLab.Bench data [--data-dir DIR] | train-speed [options] | time-to-accuracy [--study " +
            "experiments/fast.yaml] [--runs first|all|\"NAME;NAME\"] [--baseline-epochs 20] [--baseline no] | " +
            "layer-profile [--study FILE] [--batch-size " +
            "N] | step-profile [--model M] [--limit BATCHES] [--threads 2] | compare [--model M] [--epochs 2] [--threads 2] [--rounds 2] " +
            "[--contenders cnnlab,pytorch,pytorch-cl] [--limit N] [--omp-wait-policy inherit|PASSIVE|ACTIVE] [--flops-per-cycle F] " +
            "[--ghz G] ... | inference [--model m3-leaky] [--batch-sizes 1,50,1000] [--threads 2] [--rounds 2] [--engines " +
            "cnnlab,onnxruntime,pytorch,pytorch-cl]");
        return 2;
}
