using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CnnLab.Bench;

/// <summary>
/// Runs CnnLab, PyTorch with its default layout and PyTorch with channels-last (its fastest CPU setting) in
/// alternation (A B C A B C ...), each run in a fresh process with the same model, data, batch size, thread
/// count, seed and OpenMP wait policy. Before each run it records how busy the CPU was, then prints per-run
/// lines and a table of medians with min-max spread, CnnLab's ratios to each PyTorch setting and the achieved
/// GFLOP/s against this machine's fp32 peak.
/// </summary>
internal static class CompareBenchmark
{
    private static readonly string[] AllContenders = { "cnnlab", "cnnlab-bf16", "pytorch", "pytorch-cl" };

    public static void Run(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var get = BenchArguments.Parse(args);
        var contenders = get("contenders", string.Join(",", AllContenders)).Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = contenders.Except(AllContenders).ToList();
        if (contenders.Length == 0 || unknown.Count > 0)
        {
            throw new ArgumentException($"--contenders takes a comma-separated list of {string.Join(", ", AllContenders)}; " +
                $"received \"{get("contenders", "")}\".");
        }
        // Both sides wait the same way so neither wins by it: by default as libgomp does (spin a while, then sleep),
        // which is fastest on the quiet machine a benchmark needs; --omp-wait-policy PASSIVE sets that for all.
        var waitPolicy = get("omp-wait-policy", "inherit");
        var peak = PeakFlops.Detect(OptionalDouble(get("flops-per-cycle", "")), OptionalDouble(get("ghz", "")));

        Console.WriteLine($"compare: model {options.Model}, batch {options.BatchSize}, {options.Threads} threads, " +
                          $"{options.Epochs} epoch(s) x {options.Rounds} round(s), " +
                          $"contenders in this order each round: {string.Join(", ", contenders)}" +
                          (options.Limit > 0 ? $", at most {options.Limit} training and test images (--limit)" : ""));
        Console.WriteLine(waitPolicy.Equals("inherit", StringComparison.OrdinalIgnoreCase)
            ? $"OMP_WAIT_POLICY left as inherited ({Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset"}) " +
                $"for every contender's process"
            : $"OMP_WAIT_POLICY={waitPolicy} set in every contender's process environment (CnnLab and PyTorch alike)");
        Console.WriteLine($"CPU busy share sampled from /proc/stat over 1 s before each run (whole machine; steal = time the hypervisor " +
            $"gave elsewhere)");

        var runs = new List<RunResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var name in contenders)
            {
                var busy = CpuBusy.Sample(TimeSpan.FromSeconds(1));
                var result = RunProcess(Command(name, options), waitPolicy);
                var run = new RunResult(round, name, busy, result);
                runs.Add(run);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}/{options.Rounds} {name,-10} busy before {busy,-16} epoch s " +
                    $"[{string.Join(" ", run.Epochs.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))}]  " +
                    $"inference {run.InferenceSeconds:F2} s ({run.ImagesPerSecond:F0} img/s)  peak RSS {run.PeakRss:F0} MB  accuracy " +
                    $"{run.Accuracy:F4}"));
            }
        }

        PrintTable(options, contenders, runs, peak);
    }

    private static void PrintTable(BenchOptions options, string[] contenders, List<RunResult> runs, PeakFlops peak)
    {
        var macs = runs.Select(r => r.Macs).Distinct().ToList();
        if (macs.Count > 1)
        {
            Console.WriteLine($"warning: the contenders count different multiply-adds per sample ({string.Join(", ", macs)}): " +
                $"the models differ; the first is used below");
        }
        var samples = runs[0].TrainSamples;
        var testImages = runs[0].ImagesPerSecond * runs[0].InferenceSeconds;
        var trainFlops = 3.0 * 2 * macs[0] * samples;
        var inferenceFlops = 2.0 * macs[0] * testImages;
        var peakGflops = peak.GflopsFor(options.Threads);

        Console.WriteLine();
        Console.WriteLine($"{samples} training samples, {testImages:F0} test images, {macs[0]:N0} multiply-adds per sample " +
                          $"forward; engines: " +
                          string.Join(", ", contenders.Select(c => $"{c} = {runs.First(r => r.Contender == c).Engine}")));
        Console.WriteLine("| contender | runs | CPU busy before, median (max) | epoch s, median (min-max) | inference s, " +
                          "median (min-max) | inference images/s | " +
                          $"training GFLOP/s (% of {peakGflops:F0} peak) | inference GFLOP/s (% of peak) | peak RSS MB | test accuracy |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var name in contenders)
        {
            var mine = runs.Where(r => r.Contender == name).ToList();
            var epochs = mine.SelectMany(r => r.Epochs).ToList();
            var inference = mine.Select(r => r.InferenceSeconds).ToList();
            var busy = mine.Select(r => r.Busy.Busy).Where(b => !double.IsNaN(b)).ToList();
            var trainGflops = trainFlops / Median(epochs) / 1e9;
            var inferenceGflops = inferenceFlops / Median(inference) / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {mine.Count} | {(busy.Count == 0 ? "n/a" : $"{100 * Median(busy):F0}% ({100 * busy.Max():F0}%)")} | " +
                $"{Spread(epochs)} | {Spread(inference)} | " +
                $"{testImages / Median(inference):F0} | {trainGflops:F1} ({100 * trainGflops / peakGflops:F0}%) " +
                $"| {inferenceGflops:F1} ({100 * inferenceGflops / peakGflops:F0}%) | " +
                $"{Median(mine.Select(r => r.PeakRss).ToList()):F0} | " +
                $"{string.Join(" ", mine.Select(r => r.Accuracy.ToString("F4", CultureInfo.InvariantCulture)))} |"));
        }

        Console.WriteLine();
        foreach (var mine in new[] { "cnnlab", "cnnlab-bf16" }.Where(contenders.Contains))
        {
            var ours = runs.Where(r => r.Contender == mine).ToList();
            foreach (var other in contenders.Where(c => c != mine && !(mine == "cnnlab-bf16" && c == "cnnlab")))
            {
                var theirs = runs.Where(r => r.Contender == other).ToList();
                // Ratio of medians is the headline; the per-round pairs (runs next to each other in time) show how
                // much the machine's drift moves it.
                var training = Median(ours.SelectMany(r => r.Epochs).ToList()) / Median(theirs.SelectMany(r => r.Epochs).ToList());
                var inference = Median(ours.Select(r => r.InferenceSeconds).ToList()) /
                    Median(theirs.Select(r => r.InferenceSeconds).ToList());
                var trainingPairs = ours.Zip(theirs, (a, b) => Median(a.Epochs) / Median(b.Epochs)).ToList();
                var inferencePairs = ours.Zip(theirs, (a, b) => a.InferenceSeconds / b.InferenceSeconds).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{ours[0].Engine} / {other} ({theirs[0].Engine}): training epoch time {training:F2} (ratio of medians; " +
                    $"per-round pairs {trainingPairs.Min():F2}-{trainingPairs.Max():F2}), " +
                    $"inference time {inference:F2} (pairs {inferencePairs.Min():F2}-{inferencePairs.Max():F2})"));
            }
        }
        Console.WriteLine("GFLOP/s: training = 3 x forward multiply-adds (backward taken as twice the forward) " +
                          "x 2 flops x samples / median epoch time; " +
                          "inference = forward multiply-adds x 2 flops x test images / median inference time.");
        Console.WriteLine(peak.Explanation(options.Threads));

        var rss = runs.FirstOrDefault(r => r.Contender == "cnnlab")?.RssAfterEpoch;
        if (rss is { Count: > 1 })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CnnLab RSS after each epoch (MB), round 1: " +
                $"{string.Join(", ", rss.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}; " +
                $"change after the first epoch: {100 * (rss.Skip(1).Max() - rss[0]) / rss[0]:F1}%"));
        }
    }

    private static (string Program, string[] Arguments) Command(string contender, BenchOptions options)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch", "reference.py");
        return contender switch
        {
            "cnnlab" => ("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Bench.dll"),
                "train-speed" }.Concat(options.ToArguments()).ToArray()),
            "cnnlab-bf16" => ("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Bench.dll"), "train-speed" }
                .Concat((options with { Precision = "mixed_bfloat16" }).ToArguments()).ToArray()),
            "pytorch" => (PythonForTorch(), new[] { script }.Concat(options.ToArguments()).ToArray()),
            "pytorch-cl" => (PythonForTorch(), new[] { script, "--channels-last" }.Concat(options.ToArguments()).ToArray()),
            _ => throw new ArgumentException($"Unknown contender \"{contender}\"."),
        };
    }

    private static double? OptionalDouble(string value) =>
        value.Length == 0 ? null : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    internal static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Spread(IReadOnlyCollection<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values):F2} ({values.Min():F2}-{values.Max():F2})");

    /// <summary>Debian's python3-torch lives under /usr/bin/python3; a pyenv or venv python3 on PATH may lack it.</summary>
    internal static string PythonForTorch() => Environment.GetEnvironmentVariable("CNNLAB_PYTHON")
        ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    private static JsonElement RunProcess((string Program, string[] Arguments) command, string waitPolicy)
    {
        var start = new ProcessStartInfo(command.Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Arguments)
        {
            start.ArgumentList.Add(a);
        }
        if (!waitPolicy.Equals("inherit", StringComparison.OrdinalIgnoreCase))
        {
            start.Environment["OMP_WAIT_POLICY"] = waitPolicy;
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command.Program} {string.Join(" ", command.Arguments)} failed ({process.ExitCode}): " +
                $"{error.Result}");
        }
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        // The raw line goes to stderr so the record of every figure stays available without cluttering the table.
        Console.Error.WriteLine($"  {command.Program}: {line}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private sealed record RunResult(int Round, string Contender, CpuBusy Busy, JsonElement Json)
    {
        public string Engine => Json.GetProperty("engine").GetString() ?? Contender;

        public IReadOnlyList<double> Epochs => Json.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();

        public double InferenceSeconds => Json.GetProperty("inference_seconds").GetDouble();

        public double ImagesPerSecond => Json.GetProperty("inference_images_per_second").GetDouble();

        public double PeakRss => Json.GetProperty("peak_rss_mb").GetDouble();

        public double Accuracy => Json.GetProperty("test_accuracy").GetDouble();

        public long Macs => Json.GetProperty("macs_per_sample").GetInt64();

        public long TrainSamples => Json.GetProperty("train_samples").GetInt64();

        public IReadOnlyList<double>? RssAfterEpoch => Json.TryGetProperty("rss_mb_after_epoch", out var rss)
            ? rss.EnumerateArray().Select(e => e.GetDouble()).ToList()
            : null;
    }
}
