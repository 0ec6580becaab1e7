using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CnnLab.Bench;

/// <summary>
/// Runs CnnLab and the PyTorch reference alternately (A B A B ...), each in a fresh process with the same
/// model, data, batch size, thread count and seed, and prints per-epoch training time, inference throughput,
/// peak memory, the achieved GFLOP/s and the CnnLab / PyTorch ratios with their spread.
/// </summary>
internal static class CompareBenchmark
{
    public static void Run(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var self = Path.Combine(AppContext.BaseDirectory, "CnnLab.Bench.dll");
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch", "reference.py");
        var ours = new List<JsonElement>();
        var theirs = new List<JsonElement>();
        for (var round = 0; round < options.Rounds; round++)
        {
            ours.Add(RunProcess("dotnet", new[] { self, "train-speed" }.Concat(options.ToArguments())));
            theirs.Add(RunProcess(PythonForTorch(), new[] { script }.Concat(options.ToArguments())));
        }

        var macs = ours[0].GetProperty("macs_per_sample").GetInt64();
        var samples = ours[0].GetProperty("train_samples").GetInt64();
        Console.WriteLine($"model {options.Model}, batch {options.BatchSize}, {options.Threads} threads, {options.Epochs} epochs x {options.Rounds} rounds, " +
                          $"{samples} training samples, {macs:N0} multiply-adds per sample forward");
        Console.WriteLine($"engines: CnnLab vs {theirs[0].GetProperty("engine").GetString()}");
        Row("epoch seconds (each)", ours, theirs, r => Epochs(r).ToArray(), "F2");
        Row("inference images/s", ours, theirs, r => new[] { r.GetProperty("inference_images_per_second").GetDouble() }, "F0");
        Row("peak RSS MB", ours, theirs, r => new[] { r.GetProperty("peak_rss_mb").GetDouble() }, "F0");
        Row("test accuracy", ours, theirs, r => new[] { r.GetProperty("test_accuracy").GetDouble() }, "F4");

        var ourEpochs = ours.SelectMany(Epochs).ToList();
        var theirEpochs = theirs.SelectMany(Epochs).ToList();
        var ratios = ourEpochs.Zip(theirEpochs, (a, b) => a / b).ToList();
        var inferenceRatios = ours.Zip(theirs, (a, b) => a.GetProperty("inference_seconds").GetDouble() / b.GetProperty("inference_seconds").GetDouble()).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training epoch time ratio CnnLab / PyTorch: mean {ratios.Average():F2} (min {ratios.Min():F2}, max {ratios.Max():F2})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inference time ratio CnnLab / PyTorch: mean {inferenceRatios.Average():F2} (min {inferenceRatios.Min():F2}, max {inferenceRatios.Max():F2})"));
        var flops = 3.0 * 2 * macs * samples;
        var peak = PeakGflops();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"achieved training GFLOP/s (3 x forward multiply-adds): CnnLab {flops / ourEpochs.Average() / 1e9:F1}, PyTorch {flops / theirEpochs.Average() / 1e9:F1}; " +
            $"fp32 peak {peak:F0} GFLOP/s ({Environment.ProcessorCount} cores x 32 flop/cycle AVX2 FMA x clock) -> CnnLab at {100 * flops / ourEpochs.Average() / 1e9 / peak:F0}%"));
        var rss = ours.Select(r => r.GetProperty("rss_mb_after_epoch").EnumerateArray().Select(e => e.GetDouble()).ToList()).First();
        if (rss.Count > 1)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CnnLab RSS after each epoch (MB): {string.Join(", ", rss.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}; " +
                $"change after the first epoch: {100 * (rss.Skip(1).Max() - rss[0]) / rss[0]:F1}%"));
        }
    }

    private static IEnumerable<double> Epochs(JsonElement run) => run.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble());

    private static void Row(string name, List<JsonElement> ours, List<JsonElement> theirs, Func<JsonElement, double[]> values, string format)
    {
        string Format(IEnumerable<double> v) => string.Join(" ", v.Select(x => x.ToString(format, CultureInfo.InvariantCulture)));
        Console.WriteLine($"{name,-22} CnnLab [{Format(ours.SelectMany(values))}]  PyTorch [{Format(theirs.SelectMany(values))}]");
    }

    /// <summary>Debian's python3-torch lives under /usr/bin/python3; a pyenv or venv python3 on PATH may lack it.</summary>
    private static string PythonForTorch() => Environment.GetEnvironmentVariable("CNNLAB_PYTHON") ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    private static double PeakGflops()
    {
        var mhz = File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(':')[1], CultureInfo.InvariantCulture)).DefaultIfEmpty(2500).Max();
        return Environment.ProcessorCount * 32 * mhz / 1000;
    }

    private static JsonElement RunProcess(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error.Result}");
        }
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        Console.Error.WriteLine($"  {program}: {line}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
