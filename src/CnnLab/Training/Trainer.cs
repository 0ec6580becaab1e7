using System.Diagnostics;
using CnnLab.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Keras' fit loop. It knows a model only as an <see cref="ITrainableModel"/>; everything optional around the loop is
/// a callback (progress, the History, epoch checkpoints, the user's) or a pluggable step (augmentation layers, batch
/// mixing). Data stays in one tensor; each batch is gathered by index from a per-epoch permutation, and every step
/// runs inside its own dispose scope so native memory is released at once rather than when the GC runs.
/// </summary>
public sealed class Trainer
{
    private readonly ITrainableModel _model;
    private readonly Optimizers.Optimizer _optimizer;
    private readonly LossFunction _loss;
    private readonly FitOptions _options;

    /// <summary>A trainer for one Fit of <paramref name="model"/> with a compiled optimizer and loss.</summary>
    public Trainer(ITrainableModel model, Optimizers.Optimizer optimizer, LossFunction loss, FitOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Trains on x (N, C, H, W) and labels y; returns the History.</summary>
    public History Fit(Tensor x, Tensor y)
    {
        FitChecks.Require(_model, _loss, _options, x, y);
        // 1) every random generator from the one seed, 2) the optimizer, 3) the split, 4) the callbacks, 5) the epochs.
        using var seeding = new RandomSeeding(_options.Seed ?? Random.Shared.NextInt64(), _model.Layers.Concat(_options.Augmentation),
            _options.BatchMix);
        using var optimizer = _optimizer.Create(_model.Module.parameters());
        using var data = NewDisposeScope();
        var (trainX, trainY, valX, valY) = ValidationSplit.Cut(x, y, _options);
        if (valY is not null && ClassCoverage.Warning(trainY, valY, _model.ClassCount, _model.ClassNames,
                _options.ValidationData is null ? _options.ValidationSplit : null) is { } warning)
        {
            (_options.Warnings ?? Console.Error).WriteLine(warning);
        }
        var history = new History { Precision = MixedPrecision.Resolve(_options.Precision, _options.Warnings) };
        using var policy = MixedPrecision.Use(history.Precision);
        using var average = _optimizer.UseEma ? new Callbacks.WeightAverage(_optimizer.EmaMomentum) : null;
        var callbacks = Callbacks(optimizer, seeding, history, average);
        var context = new TrainingContext(_model, _options.Epochs, (int)trainX.shape[0], _options.BatchSize,
            valX is null ? 0 : (int)valX.shape[0], _optimizer.LearningRate);
        try
        {
            callbacks.ForEach(c => c.OnTrainBegin(context));
            for (var epoch = context.InitialEpoch; epoch < _options.Epochs && !context.StopTraining; epoch++)
            {
                var clock = Stopwatch.StartNew();
                callbacks.ForEach(c => c.OnEpochBegin(context, epoch));
                var logs = TrainEpoch(trainX, trainY, optimizer, seeding.Shuffle, context, callbacks);
                if (valX is not null)
                {
                    var validation = Evaluator.Evaluate(_model, _loss, valX, valY!, _options.BatchSize);
                    logs["val_loss"] = validation.Loss;
                    logs["val_accuracy"] = validation.Accuracy;
                }
                if (context.LogLearningRate)
                {
                    logs["learning_rate"] = context.LearningRate;
                }
                if (ThreadGovernor.Enabled)
                {
                    // Fewer threads split the arithmetic differently: the epoch says how it was computed.
                    logs["threads"] = ThreadGovernor.TakeFewest();
                }
                context.EpochSeconds = clock.Elapsed.TotalSeconds;
                callbacks.ForEach(c => c.OnEpochEnd(context, epoch, logs));
            }
            callbacks.ForEach(c => c.OnTrainEnd(context));
        }
        finally
        {
            _model.Module.eval();
        }
        return history;
    }

    /// <summary>
    /// The weight average first (its end puts the averaged weights in before any other callback's end, as Keras
    /// finalizes them), progress, the user's callbacks, the History, and the checkpoint last (it saves what they saw).
    /// </summary>
    private List<Callback> Callbacks(optim.Optimizer optimizer, RandomSeeding seeding, History history, Callback? average)
    {
        var callbacks = new List<Callback>();
        if (average is not null)
        {
            callbacks.Add(average);
        }
        if (_options.Verbose > 0)
        {
            callbacks.Add(ProgressLogger.ForConsole());
        }
        callbacks.AddRange(_options.Callbacks);
        callbacks.Add(history);
        if (_options.CheckpointFolder is { } folder)
        {
            // The average's state is checkpointed after the user's callbacks', whose places stay as they were.
            var kept = average is null ? _options.Callbacks : _options.Callbacks.Append(average).ToList();
            callbacks.Add(new Checkpointing(folder, optimizer, seeding.Generators, history, kept));
        }
        return callbacks;
    }

    private Dictionary<string, double> TrainEpoch(Tensor x, Tensor y, optim.Optimizer optimizer, Generator shuffle,
        TrainingContext context, List<Callback> callbacks)
    {
        var count = (int)x.shape[0];
        var batchSize = _options.BatchSize;
        _model.Module.train();
        foreach (var layer in _options.Augmentation)
        {
            layer.train();
        }
        using var order = _options.Shuffle ? randperm(count, generator: shuffle) : arange(count, dtype: ScalarType.Int64);
        double lossSum = 0;
        long correct = 0;
        var seen = 0;
        var batchLogs = new Dictionary<string, double>();
        var trainable = _model.Module.parameters().Where(p => p.requires_grad).ToList();
        for (var batch = 0; batch * batchSize < count && !context.StopTraining; batch++)
        {
            callbacks.ForEach(c => c.OnBatchBegin(context, batch));
            ThreadGovernor.Tick();
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = context.LearningRate;
            }
            var length = Math.Min(batchSize, count - batch * batchSize);
            using (var scope = NewDisposeScope())
            {
                var index = order.narrow(0, batch * batchSize, length);
                var xb = Augment(x.index_select(0, index).to(_model.Device));
                var yb = y.index_select(0, index).to(_model.Device);
                optimizer.zero_grad();
                var (loss, hits) = _options.BatchMix is { } mix
                    ? ModelLoss.Mixed(_model, _loss, mix.Mix(xb, yb))
                    : ModelLoss.Of(_model, _loss, xb, yb);
                loss.backward();
                _optimizer.ClipGradients(trainable);
                _optimizer.DecayWeights(trainable, context.LearningRate);
                optimizer.step();
                lossSum += loss.item<float>() * length;
                correct += hits.item<long>();
            }
            seen += length;
            context.Step++;
            batchLogs["loss"] = lossSum / seen;
            batchLogs["accuracy"] = (double)correct / seen;
            batchLogs["samples"] = seen;
            callbacks.ForEach(c => c.OnBatchEnd(context, batch, batchLogs));
        }
        return new Dictionary<string, double> { ["loss"] = lossSum / Math.Max(seen, 1),
            ["accuracy"] = (double)correct / Math.Max(seen, 1) };
    }

    private Tensor Augment(Tensor images)
    {
        foreach (var layer in _options.Augmentation)
        {
            images = layer.forward(images);
        }
        return images;
    }
}
