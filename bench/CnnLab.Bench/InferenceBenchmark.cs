using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Export;
using CnnLab.Models;
using CnnLab.OnnxRuntime;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Bench;

/// <summary>
/// Inference speed of one model on the 10,000 Fashion-MNIST test images at several batch sizes, for CnnLab on libtorch,
/// the same model exported to ONNX on ONNX Runtime (CnnLab.OnnxRuntime, as `predict` and `evaluate` run it), and the
/// PyTorch export in real PyTorch (default and channels-last layouts), alternated A B C D A B C D within one invocation
/// with the same threads. CnnLab and ONNX Runtime run in this process after a warm-up pass; PyTorch in its own, not
/// timing start-up. Prints every run, a table of median images/s with each engine's time relative to PyTorch's, and
/// how far ONNX Runtime's outputs are from CnnLab's.
/// </summary>
internal static class InferenceBenchmark
{
    private static readonly string[] AllEngines = { "cnnlab", "onnxruntime", "pytorch", "pytorch-cl" };

    public static void Run(string[] args)
    {
        var get = BenchArguments.Parse(args);
        var modelName = get("model", "m3-leaky");
        var threads = int.Parse(get("threads", "2"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(get("rounds", "2"), CultureInfo.InvariantCulture);
        var batchSizes = get("batch-sizes", "1,50,1000").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        var engines = get("engines", string.Join(",", AllEngines)).Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dataDir = get("data-dir", "/usr/share/datasets/fashion-mnist");
        if (engines.Except(AllEngines).Any())
        {
            throw new ArgumentException($"--engines takes a comma-separated list of {string.Join(", ", AllEngines)}.");
        }

        TorchEngine.Configure(threads);
        using var model = NotebookModels.Create(modelName, seed: 1);
        var folder = Directory.CreateTempSubdirectory("cnnlab-inference-").FullName;
        PyTorchExport.Export(model, folder, "model");
        using var onnx = OnnxClassifier.FromBytes(OnnxExport.ToBytes(model), modelName, threads);
        using var splits = DatasetSource.Open("fashion-mnist", dataDir);
        var images = splits.Test.Images;
        var imagesFile = Path.Combine(dataDir, "t10k-images-idx3-ubyte.gz");

        Console.WriteLine($"inference: model {modelName}, {images.shape[0]:N0} Fashion-MNIST test images, " +
                          $"batch sizes {string.Join(", ", batchSizes)}, " +
                          $"{threads} threads, {rounds} round(s), engines in this order each round: {string.Join(", ", engines)}");
        Console.WriteLine($"libtorch {__version__} (convolutions: {TorchEngine.Path}), ONNX Runtime {OnnxClassifier.RuntimeVersion}, " +
            $"OMP_WAIT_POLICY {Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset"}");

        // Agreement first, at the largest batch: the engines must compute the same thing for their speed to compare.
        using (var expected = model.Predict(images, 1000))
        using (var actual = onnx.Predict(images, 1000, TestTimeAugmentation.None))
        using (var difference = (expected - actual).abs().max())
        using (var agree = expected.argmax(1).eq(actual.argmax(1)).to(ScalarType.Float32).mean())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ONNX Runtime vs CnnLab on the {images.shape[0]:N0} images: max |difference| {difference.item<float>():E2}, " +
                $"top-1 agreement {agree.item<float>():P2}"));
        }
        Warm(model, onnx, images);

        var results = new List<(int Round, string Engine, int Batch, double Seconds, string Name)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var engine in engines)
            {
                Thread.Sleep(500); // let the previous engine's spinning threads go idle
                var busy = CpuBusy.Sample(TimeSpan.FromSeconds(1));
                foreach (var (batch, seconds, name) in Measure(engine, model, onnx, images, batchSizes, folder, imagesFile, threads))
                {
                    results.Add((round, engine, batch, seconds, name));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round}/{rounds} {engine,-12} busy before {busy,-16} batch {batch,5}: " +
                        $"{seconds,7:F2} s  {images.shape[0] / seconds,8:F0} img/s"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("Median images/s (min-max); ratio = the engine's time over PyTorch default's (below 1: faster than PyTorch).");
        Console.WriteLine("| engine | " + string.Join(" | ", batchSizes.Select(b => $"batch {b}: images/s | ratio")) + " |");
        Console.WriteLine("| --- | " + string.Join(" | ", batchSizes.Select(_ => "--- | ---")) + " |");
        foreach (var engine in engines)
        {
            var cells = batchSizes.Select(b =>
            {
                var mine = results.Where(r => r.Engine == engine && r.Batch == b).Select(r => images.shape[0] / r.Seconds).ToList();
                var baseline = results.Where(r => r.Engine == "pytorch" && r.Batch == b).Select(r => r.Seconds).ToList();
                var ratio = baseline.Count > 0
                    ? (CompareBenchmark.Median(results.Where(r => r.Engine == engine && r.Batch == b).Select(r => r.Seconds).ToList()) /
                    CompareBenchmark.Median(baseline)).ToString("F2", CultureInfo.InvariantCulture) : "-";
                return string.Create(CultureInfo.InvariantCulture,
                    $"{CompareBenchmark.Median(mine):F0} ({mine.Min():F0}-{mine.Max():F0}) | {ratio}");
            });
            Console.WriteLine($"| {engine} ({results.First(r => r.Engine == engine).Name}) | {string.Join(" | ", cells)} |");
        }
        Directory.Delete(folder, true);
    }

    private static void Warm(Sequential model, OnnxClassifier onnx, Tensor images)
    {
        using var some = images.narrow(0, 0, 1000);
        using var a = model.Predict(some, 50);
        using var b = onnx.Predict(some, 50, TestTimeAugmentation.None);
    }

    private static IEnumerable<(int Batch, double Seconds, string Name)> Measure(string engine, Sequential model, OnnxClassifier onnx,
        Tensor images,
        int[] batchSizes, string folder, string imagesFile, int threads)
    {
        if (engine.StartsWith("pytorch", StringComparison.Ordinal))
        {
            return PyTorch(folder, imagesFile, batchSizes, threads, engine == "pytorch-cl");
        }
        return batchSizes.Select(batch =>
        {
            var watch = Stopwatch.StartNew();
            using var outputs = engine == "cnnlab" ? model.Predict(images, batch) : onnx.Predict(images, batch, TestTimeAugmentation.None);
            return (batch, watch.Elapsed.TotalSeconds, engine == "cnnlab" ? $"libtorch {__version__}"
                : $"ONNX Runtime {OnnxClassifier.RuntimeVersion}");
        }).ToList();
    }

    private static List<(int, double, string)> PyTorch(string folder, string imagesFile, int[] batchSizes, int threads, bool channelsLast)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch", "inference.py");
        var start = new ProcessStartInfo(CompareBenchmark.PythonForTorch()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "--export", folder, "--name", "model", "--images", imagesFile, "--batch-sizes",
            string.Join(",", batchSizes), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }
        if (channelsLast)
        {
            start.ArgumentList.Add("--channels-last");
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {error.Result}");
        }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var json = JsonDocument.Parse(line).RootElement;
            return (json.GetProperty("batch").GetInt32(), json.GetProperty("seconds").GetDouble(), json.GetProperty("engine").GetString()!);
        }).ToList();
    }
}
