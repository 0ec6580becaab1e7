using System.Diagnostics;
using System.Text.Json;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Training;

namespace CnnLab.Bench;

/// <summary>
/// One CnnLab side of the speed comparison: trains a notebook model on Fashion-MNIST (batch 50, the last 30%
/// held out and not evaluated, as in the PyTorch reference) and prints one JSON line with seconds per epoch,
/// RSS after each epoch, inference throughput over the 10,000 test images and the test accuracy.
/// </summary>
internal static class TrainingSpeedBenchmark
{
    public static void Run(string[] args)
    {
        var options = BenchOptions.Parse(args);
        TorchEngine.Configure(options.Threads);
        using var splits = FashionMnist.Load(options.DataDir, new DataLocator(options.DataDir));
        var (train, test) = splits;
        var split = (long)Math.Floor(train.Count * 0.7);
        var testCount = (long)test.Count;
        if (options.Limit > 0)
        {
            split = Math.Min(split, options.Limit);
            testCount = Math.Min(testCount, options.Limit);
        }
        using var x = train.Images.narrow(0, 0, split);
        using var y = train.Labels.narrow(0, 0, split);
        using var testX = test.Images.narrow(0, 0, testCount);
        using var testY = test.Labels.narrow(0, 0, testCount);
        using var model = NotebookModels.Create(options.Model, seed: options.Seed);
        var clock = new EpochClock();
        var history = model.Fit(x, y, new FitOptions { BatchSize = options.BatchSize, Epochs = options.Epochs, Seed = options.Seed,
            Verbose = 0, Callbacks = new[] { clock }, Precision = MixedPrecision.Parse(options.Precision) });

        using var policy = MixedPrecision.Use(history.Precision);
        var watch = Stopwatch.StartNew();
        var evaluation = model.Evaluate(testX, testY, options.EvalBatchSize);
        var inference = watch.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            engine = history.Precision == Precision.Float32 ? "cnnlab" : "cnnlab mixed_bfloat16",
            model = options.Model,
            threads = options.Threads,
            epoch_seconds = clock.Seconds,
            rss_mb_after_epoch = clock.RssMegabytes,
            train_samples = split,
            inference_seconds = inference,
            inference_images_per_second = testCount / inference,
            peak_rss_mb = Memory.PeakRssMegabytes(),
            test_accuracy = evaluation.Accuracy,
            macs_per_sample = MultiplyAdds(model),
            omp_wait_policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "",
        }));
    }

    /// <summary>Multiply-adds of one forward pass: convolutions and dense layers.</summary>
    public static long MultiplyAdds(Sequential model) => model.Layers.Sum(l => l switch
    {
        Conv2D c => (long)c.OutputShape!.Height * c.OutputShape.Width * c.Filters * c.InputShape!.Channels * c.KernelSize.Height *
            c.KernelSize.Width,
        Dense d => (long)d.InputShape!.Channels * d.Units,
        _ => 0L,
    });

    private sealed class EpochClock : Callback
    {
        private readonly Stopwatch _watch = new();

        public List<double> Seconds { get; } = new();

        public List<double> RssMegabytes { get; } = new();

        public override void OnEpochBegin(TrainingContext context, int epoch) => _watch.Restart();

        public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
        {
            Seconds.Add(_watch.Elapsed.TotalSeconds);
            RssMegabytes.Add(Memory.RssMegabytes());
        }
    }
}
