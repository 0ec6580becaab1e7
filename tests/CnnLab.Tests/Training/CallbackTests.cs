using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Optimizers;
using CnnLab.Training;
using CnnLab.Training.Callbacks;
using Google.Protobuf;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>ReduceLROnPlateau, TerminateOnNaN, CSVLogger, ModelCheckpoint and TensorBoard on scripted sequences and small Fits.</summary>
public sealed class CallbackTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static TrainingContext Context(double learningRate = 0.1)
    {
        var model = new CnnLab.Models.Sequential(new Shape(2), seed: 1);
        model.Add(new Dense(1));
        return new TrainingContext(model, 20, 10, 1, 2, learningRate);
    }

    [Fact]
    public void ReduceLROnPlateau_reduces_after_patience_waits_out_the_cooldown_and_stops_at_the_floor()
    {
        var context = Context(0.1);
        var callback = new ReduceLROnPlateau(factor: 0.5, patience: 2, cooldown: 1, minLearningRate: 0.02);
        callback.OnTrainBegin(context);
        var rates = new List<double>();
        var values = new[] { 1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9 };
        for (var epoch = 0; epoch < values.Length; epoch++)
        {
            callback.OnEpochEnd(context, epoch, new Dictionary<string, double> { ["val_loss"] = values[epoch] });
            rates.Add(Math.Round(context.LearningRate, 10));
        }
        // Keras' order: epochs 0-1 improve; 2 and 3 wait, so after epoch 3 the rate halves and the cooldown starts.
        // Epoch 4 ends the cooldown and already counts as a wait (Keras decrements, then counts), 5 reduces again;
        // 6 ends that cooldown, 7 reduces to the floor 0.02, after which nothing changes.
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02 }, rates);
        Assert.True(context.LogLearningRate);
    }

    [Fact]
    public void A_callback_monitoring_a_metric_that_is_not_logged_lists_the_ones_that_are()
    {
        var context = Context();
        var callback = new ReduceLROnPlateau(monitor: "val_acc");
        callback.OnTrainBegin(context);
        var e = Assert.Throws<InvalidOperationException>(() =>
            callback.OnEpochEnd(context, 0,
                new Dictionary<string, double> { ["loss"] = 1, ["accuracy"] = 0.5, ["val_loss"] = 1, ["val_accuracy"] = 0.5 }));
        Assert.Equal("ReduceLROnPlateau monitors \"val_acc\", which this training does not log. Available metrics: loss, accuracy, " +
            "val_loss, val_accuracy. " +
            "Use one of them, or pass validation data to log the val_ ones.", e.Message);
        Assert.Equal("Invalid value for argument `factor`. Expected a value in (0, 1): ReduceLROnPlateau does not support a factor >= 1. " +
            "Received: factor=1.5",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(factor: 1.5))));
    }

    /// <summary>Reports a NaN loss from the third batch on.</summary>
    private sealed class NaNAfter : Callback
    {
        public int Batches { get; private set; }

        public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) => Batches++;
    }

    [Fact]
    public void TerminateOnNaN_stops_training_after_the_batch_with_an_invalid_loss()
    {
        var log = new StringWriter();
        var callback = new TerminateOnNaN(log);
        var context = Context();
        callback.OnTrainBegin(context);
        callback.OnBatchEnd(context, 0, new Dictionary<string, double> { ["loss"] = 0.7 });
        Assert.False(context.StopTraining);
        callback.OnBatchEnd(context, 1, new Dictionary<string, double> { ["loss"] = double.NaN });
        Assert.True(context.StopTraining);
        Assert.Equal(1, callback.TerminatedAtBatch);
        Assert.Equal("Batch 1: Invalid loss, terminating training" + Environment.NewLine, log.ToString());

        // In a Fit, the stop takes effect at once: no further batch runs (a huge SGD rate makes the loss infinite).
        var (x, y) = TestSupport.Bars(80, seed: 1);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new SGD(1e30));
        var counter = new NaNAfter();
        var terminate = new TerminateOnNaN(TextWriter.Null);
        var history = model.Fit(x, y,
            new FitOptions { BatchSize = 10, Epochs = 3, Seed = 1, Verbose = 0, Callbacks = new Callback[] { terminate, counter } });
        Assert.NotNull(terminate.TerminatedAtBatch);
        Assert.Equal(terminate.TerminatedAtBatch + 1, counter.Batches);
        Assert.Equal(1, history.Epochs);
    }

    [Fact]
    public void CSVLogger_writes_one_row_per_epoch_with_sorted_columns()
    {
        var (x, y) = TestSupport.Bars(40, seed: 2);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new Adam());
        var path = Path.Combine(_folder, "log.csv");
        var history = model.Fit(x, y, new FitOptions
        {
            BatchSize = 10, Epochs = 2, ValidationSplit = 0.25, Seed = 1, Verbose = 0, Callbacks = new Callback[] { new CSVLogger(path) },
        });

        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(3, lines.Length);
        var second = lines[2].Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(new[] { 1, history.Accuracy[1], history.Loss[1], history.ValAccuracy[1], history.ValLoss[1] }, second);
    }

    [Fact]
    public void ModelCheckpoint_with_save_best_only_saves_the_improving_epochs_under_formatted_names()
    {
        var context = Context();
        var callback = new ModelCheckpoint(Path.Combine(_folder, "ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"), saveBestOnly: true);
        callback.OnTrainBegin(context);
        var values = new[] { 0.9, 0.7, 0.8, 0.6 };
        for (var epoch = 0; epoch < values.Length; epoch++)
        {
            callback.OnEpochEnd(context, epoch, new Dictionary<string, double> { ["val_loss"] = values[epoch] });
        }
        Assert.Equal(new[] { "ckpt-01-0.90.safetensors", "ckpt-02-0.70.safetensors", "ckpt-04-0.60.safetensors" },
            callback.Saved.Select(Path.GetFileName));
        Assert.Equal(callback.Saved.Order(), Directory.GetFiles(_folder).Order());
        Assert.Equal(0.6, callback.Best);
        using var reloaded = CnnLab.Models.Sequential.Load(callback.Saved[^1]);
        Assert.Equal(((CnnLab.Models.Sequential)context.Model).ToJson(), reloaded.ToJson());
    }

    [Fact]
    public void TensorBoard_event_files_decode_to_the_epoch_scalars_and_weight_histograms()
    {
        var (x, y) = TestSupport.Bars(40, seed: 3);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new Adam());
        var logs = Path.Combine(_folder, "tb");
        var history = model.Fit(x, y, new FitOptions
        {
            BatchSize = 10, Epochs = 2, ValidationSplit = 0.25, Seed = 1, Verbose = 0,
                Callbacks = new Callback[] { new TensorBoard(logs, histogramFrequency: 1) },
        });

        var train = ReadEvents(Path.Combine(logs, "train"));
        var validation = ReadEvents(Path.Combine(logs, "validation"));
        float[] Scalars(List<Tensorboard.Event> events, string tag) => events
            .Where(e => e.Summary is not null).SelectMany(e =>
                e.Summary.Value.Where(v => v.Tag == tag).Select(v => (e.Step, v.SimpleValue)))
            .OrderBy(p => p.Step).Select(p => p.SimpleValue).ToArray();

        Assert.Equal(history.Loss.Select(v => (float)v), Scalars(train, "epoch_loss"));
        Assert.Equal(history.Accuracy.Select(v => (float)v), Scalars(train, "epoch_accuracy"));
        Assert.Equal(history.ValLoss.Select(v => (float)v), Scalars(validation, "epoch_loss"));
        var histograms = train.Where(e => e.Summary is not null).SelectMany(e =>
            e.Summary.Value.Where(v => v.Histo is not null).Select(v => (e.Step, v.Tag, v.Histo))).ToList();
        Assert.Contains(histograms, h => h.Step == 1 && h.Tag == "conv2d.kernel" && (long)h.Histo.Num == 6 * 9);
    }

    /// <summary>Reads TFRecord files: length (8 bytes), its CRC (4), the Event protobuf, its CRC (4).</summary>
    private static List<Tensorboard.Event> ReadEvents(string folder)
    {
        var events = new List<Tensorboard.Event>();
        foreach (var file in Directory.GetFiles(folder))
        {
            var bytes = File.ReadAllBytes(file);
            for (var offset = 0; offset < bytes.Length;)
            {
                var length = (int)BitConverter.ToUInt64(bytes, offset);
                events.Add(Tensorboard.Event.Parser.ParseFrom(ByteString.CopyFrom(bytes, offset + 12, length)));
                offset += 12 + length + 4;
            }
        }
        Assert.NotEmpty(events);
        return events;
    }
}
